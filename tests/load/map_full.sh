#!/usr/bin/env bash
# The LMDB map fills up (--map-size-mb small) during `piotd import` and during replication: a
# clear error (stderr, log, /status lastError), no crash, and recovery after a restart with a
# bigger map.
source "$(dirname "$0")/common.sh"

cis=500000
start_upstream "$cis"
upstream_items blocked_cis "$work/cis.txt"
upstream_items blocked_gtin "$work/gtin.txt"

echo "== import into a full map"
data="$work/data-import"
"$PIOTD" import --data-dir "$data" --map-size-mb 16 --list blocked_gtin "$work/gtin.txt" >/dev/null \
    || fail "the small import did not fit"
rc=0
"$PIOTD" import --data-dir "$data" --map-size-mb 16 --list blocked_cis "$work/cis.txt" \
    >"$work/import.out" 2>&1 || rc=$?
cat "$work/import.out"
[[ $rc -ne 0 ]] || fail "the import fit in the small map"
grep -q "map_size_mb" "$work/import.out" || fail "the import's error does not name the map size"
data_intact "$data" || fail "mdb_stat cannot read the data dir after the failed import"
"$PIOTD" import --data-dir "$data" --map-size-mb 256 --list blocked_cis "$work/cis.txt" \
    || fail "the import failed with a bigger map"
start_daemon "$work/piotd-import.log" --data-dir "$data" --map-size-mb 256
count_is blocked_cis "$cis" || fail "blocked_cis not loaded: $(status_json)"
count_is blocked_gtin 1000 || fail "blocked_gtin lost: $(status_json)"
stop_daemon

echo "== replication into a full map"
data="$work/data-replication"
start_daemon "$work/piotd-repl.log" --demo --data-dir "$data" --map-size-mb 16 \
    --upstream "http://127.0.0.1:$upstream_port" --sync-period 2
wait_for 150 grep -q "MDB_MAP_FULL" "$work/piotd-repl.log" \
    || { tail "$work/piotd-repl.log" >&2; fail "no map-full error in the log"; }
grep "MDB_MAP_FULL" "$work/piotd-repl.log" | head -1
status_json | grep -q '"lastError":"[^"]*map_size_mb' || fail "no lastError in /status: $(status_json)"
check_code 0104603586014674215012516137746 | grep -q '"code":0' || fail "checks stopped while the map is full"
stop_daemon
data_intact "$data" || fail "mdb_stat cannot read the data dir after the map filled"
start_daemon "$work/piotd-repl2.log" --data-dir "$data" --map-size-mb 256 \
    --upstream "http://127.0.0.1:$upstream_port" --sync-period 2
wait_for 150 count_is blocked_cis "$cis" \
    || fail "replication did not complete with a bigger map: $(status_json)"
stop_daemon
echo "map_full: ok"
