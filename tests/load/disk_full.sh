#!/usr/bin/env bash
# The data dir's file system fills up during `piotd import` and during replication: a clear
# error (stderr, log, /status lastError), no corruption (mdb_stat reads everything; the old list
# is still served), and recovery once space returns (no restart needed for replication).
# Needs root for the tmpfs; skipped (exit 77) otherwise.
source "$(dirname "$0")/common.sh"

cis=150000
start_upstream "$cis"
upstream_items blocked_cis "$work/cis.txt"
upstream_items blocked_gtin "$work/gtin.txt"

echo "== import onto a full disk"
disk="$work/disk-import"
mount_tmpfs "$disk" "${SMALL_DISK:-3m}"
data="$disk/data"
# A list to lose: the first 1,000 КИ (and the GTINs) fit.
head -n 1000 "$work/cis.txt" >"$work/cis-1000.txt"
"$PIOTD" import --data-dir "$data" --list blocked_gtin "$work/gtin.txt" >/dev/null \
    || fail "the small import did not fit"
"$PIOTD" import --data-dir "$data" --list blocked_cis "$work/cis-1000.txt" >/dev/null \
    || fail "the small import did not fit"
rc=0
"$PIOTD" import --data-dir "$data" --list blocked_cis "$work/cis.txt" >"$work/import.out" 2>&1 || rc=$?
cat "$work/import.out"
[[ $rc -ne 0 ]] || fail "the import succeeded on a full disk (make SMALL_DISK smaller)"
grep -q "file system is full" "$work/import.out" || fail "the import's error does not say the disk is full"
data_intact "$data" || fail "mdb_stat cannot read the data dir after the failed import"
start_daemon "$work/piotd-import.log" --data-dir "$data"
count_is blocked_gtin 1000 || fail "blocked_gtin lost after the failed import: $(status_json)"
count_is blocked_cis 1000 || fail "blocked_cis is not the old list after the failed import: $(status_json)"
stop_daemon
mount -o remount,size=256m "$disk"
"$PIOTD" import --data-dir "$data" --list blocked_cis "$work/cis.txt" || fail "the import failed once space returned"
data_intact "$data" || fail "mdb_stat cannot read the data dir after the import"
start_daemon "$work/piotd-import2.log" --data-dir "$data"
count_is blocked_cis "$cis" || fail "blocked_cis not loaded: $(status_json)"
stop_daemon

echo "== replication onto a full disk"
disk="$work/disk-replication"
mount_tmpfs "$disk" "${SMALL_DISK:-3m}"
data="$disk/data"
start_daemon "$work/piotd-repl.log" --demo --data-dir "$data" \
    --upstream "http://127.0.0.1:$upstream_port" --sync-period 2
wait_for 150 grep -q "file system is full" "$work/piotd-repl.log" \
    || { tail "$work/piotd-repl.log" >&2; fail "no disk-full error in the log"; }
grep "file system is full" "$work/piotd-repl.log" | head -1
status_json | grep -q '"lastError":"[^"]*file system is full' || fail "no lastError in /status: $(status_json)"
check_code 0104603586014674215012516137746 | grep -q '"code":0' || fail "checks stopped while the disk is full"
mount -o remount,size=256m "$disk"
wait_for 150 count_is blocked_cis "$cis" \
    || fail "replication did not recover once space returned: $(status_json)"
no_last_error() { ! status_json | grep -q '"lastError"'; }
wait_for 60 no_last_error || fail "lastError stays after a good round: $(status_json)"
stop_daemon
data_intact "$data" || fail "mdb_stat cannot read the data dir after the recovery"
echo "disk_full: ok"
