#!/usr/bin/env bash
# How fast blocks learned on a store reach its till (docs/local-module.md "Verdicts kept, blocks
# learned"): a store piotd and a till replicating from it with a sync period of PERIOD seconds
# (default 10); 10,000 КИ are added to the store's `learned` list at once (piotd import --append,
# as the store's own checks would add them); the figure is the time until the till holds them all,
# against the sync period. Loopback only, bounded in time.
#   BUILD=build-release bash bench/learned.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${BUILD:-build-release}"
period="${PERIOD:-10}"
count="${COUNT:-10000}"
store_port="${STORE_PORT:-16201}"
till_port="${TILL_PORT:-16202}"
work="$(mktemp -d /tmp/piotd-learned-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
learned_on() {
    curl -s -u admin:admin "http://127.0.0.1:$1/api/v1/status" |
        grep -o '"learned":{[^}]*}' | grep -o '"localDocCount":[0-9]*' | cut -d: -f2
}
wait_until() {  # SECONDS COMMAND...: polls every 50 ms
    local limit=$(( $(now_ms) + $1 * 1000 )); shift
    until "$@"; do
        (( $(now_ms) < limit )) || { echo "timed out: $*" >&2; exit 1; }
        sleep 0.05
    done
}

"$bin/daemon/piotd" --demo --data-dir "$work/store" --listen "127.0.0.1:$store_port" \
    --piot-listen "" --true-api "" 2>"$work/store.log" &
pids+=($!)
wait_until 30 curl -sf -u admin:admin "http://127.0.0.1:$store_port/api/v1/status" -o /dev/null
PIOTD_PASSWORD=admin PIOTD_UPSTREAM_PASSWORD=admin "$bin/daemon/piotd" --data-dir "$work/till" \
    --listen "127.0.0.1:$till_port" --piot-listen "" --true-api "" \
    --upstream "http://127.0.0.1:$store_port" --sync-period "$period" 2>"$work/till.log" &
pids+=($!)
till_ready() { curl -s -u admin:admin "http://127.0.0.1:$till_port/api/v1/status" | grep -q '"status":"ready"'; }
wait_until 120 till_ready

for ((i = 0; i < count; i++)); do printf '0104600000000048215Lrn%07d\n' "$i"; done >"$work/learned.txt"
t0=$(now_ms)
"$bin/daemon/piotd" import --data-dir "$work/store" --list learned --append "$work/learned.txt" \
    >/dev/null 2>&1
t_import=$(now_ms)
store_has() { [[ "$(learned_on "$store_port")" == "$count" ]]; }
wait_until 30 store_has
t_store=$(now_ms)
till_has() { [[ "$(learned_on "$till_port")" == "$count" ]]; }
wait_until $(( period * 3 + 30 )) till_has
t_till=$(now_ms)
echo "learned: $count blocks imported into the store in $((t_import - t0)) ms, served by it after" \
     "$((t_store - t0)) ms, on the till $((t_till - t_store)) ms after the store served them" \
     "(sync period ${period} s: $( (( t_till - t_store <= period * 1000 )) && echo within || echo beyond) one period)"
