#!/usr/bin/env bash
# A store piotd serving a fleet (issue 23; docs/replication.md "Serving many tills at once"):
# TILLS (default 100) light tills pull a 1,113,887-item blocked_cis snapshot at once, then poll
# for changes every PERIOD s while DELTA (1,000) codes are added to the store; the store's own
# check latency is measured on one connection in the same run (bench/fanout_bench.cpp prints
# the figures and the targets). Loopback only, bounded in time.
#   BUILD=build-release bash bench/fanout.sh
#   STREAMS=16 TILLS=100 PERIOD=10 IDLE=10 bash bench/fanout.sh
#   CHECK_GAP_US=1000 bash bench/fanout.sh   # a check every ms instead of back to back
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${BUILD:-build-release}"
piotd="${PIOTD:-$bin/daemon/piotd}"  # another build's daemon, to compare (the bench is $bin's)
tills="${TILLS:-100}"
period="${PERIOD:-10}"
idle="${IDLE:-10}"
delta="${DELTA:-1000}"
items="${ITEMS:-1113887}"
streams="${STREAMS:-}"  # empty: piotd's default [replication] max_snapshot_streams
port="${STORE_PORT:-16301}"
work="$(mktemp -d "${BENCH_TMP:-/tmp}/piotd-fanout-bench.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_until() {  # SECONDS COMMAND...: polls every 50 ms
    local limit=$(( $(now_ms) + $1 * 1000 )); shift
    until "$@"; do
        (( $(now_ms) < limit )) || { echo "timed out: $*" >&2; exit 1; }
        sleep 0.05
    done
}

echo "== the store: $items blocked CIS (piotd_generate_list, piotd import)"
"$bin/bench/piotd_generate_list" blocked_cis "$items" 7 >"$work/cis.txt"
"$piotd" import --data-dir "$work/store" --list blocked_cis "$work/cis.txt" >/dev/null
rm "$work/cis.txt"
# Codes of a GTIN the generated list does not use, so each is one effective change.
for ((i = 0; i < delta; i++)); do printf '0104600000000093215Fan%010d\n' "$i"; done >"$work/delta.txt"

args=(--demo --data-dir "$work/store" --listen "127.0.0.1:$port" --piot-listen "" --true-api "")
[[ -n "$streams" ]] && args+=(--max-snapshot-streams "$streams")
"$piotd" "${args[@]}" 2>"$work/store.log" &
store_pid=$!
pids+=($store_pid)
ready() { curl -s -u admin:admin "http://127.0.0.1:$port/api/v1/status" | grep -q '"status":"ready"'; }
wait_until 60 ready

echo "== $tills tills, sync period $period s, $delta changes; check latency on one connection"
STORE_PID=$store_pid "$bin/bench/piotd_fanout_bench" "$port" "$tills" "$idle" "$period" "$delta" \
    "'$piotd' import --data-dir '$work/store' --list blocked_cis --append '$work/delta.txt' >/dev/null 2>&1" ||
    status=$?
echo "== the store's account"
curl -s -u admin:admin "http://127.0.0.1:$port/metrics" |
    grep -E '^piotd_replication_(refused|served|snapshot_|serving_starved)' | sed 's/^/metrics: /'
grep -E 'starved|replserve|serving' "$work/store.log" | head -5 | sed 's/^/store log: /' || true
exit "${status:-0}"
