#!/usr/bin/env bash
# Replication figures (docs/replication.md): snapshot ingest of 1,113,887 blocked CIS from the fake
# upstream over loopback to `ready`, a 10,000-item delta, check latency while a snapshot ingests,
# and the daemon's RSS during ingest. Called by bench/run.sh; needs build-release (Release, tests
# on for the fake upstream). Loopback only, bounded in time.
set -euo pipefail
[[ -n "${TRACE:-}" ]] && set -x
cd "$(dirname "$0")/.."

bin=build-release
duration="${DURATION:-10}"
rounds="${ROUNDS:-3}"
work="$(mktemp -d "${BENCH_TMP:-/tmp}/piotd-repl-bench.XXXXXX")"
fake_port="${FAKE_PORT:-16101}"
till_port="${TILL_PORT:-16102}"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
auth="Authorization: Basic $(printf 'admin:till' | base64)"
status() { curl -s -H "$auth" "http://127.0.0.1:$till_port/api/v1/status" | grep -o '"status":"[a-z_]*"' | cut -d'"' -f4; }

# The fake upstream stands for another machine; niced so it does not take the till's CPU here.
chrt --idle 0 "$bin/tests/fakes/piotd_fake_upstream" --listen "127.0.0.1:$fake_port" --cis 1113887 --gtin 10000 \
    2>"$work/fake.log" &
pids+=($!)
until grep -q listening "$work/fake.log" 2>/dev/null; do sleep 0.05; done

echo "== snapshot ingest: 1,113,887 blocked CIS + 10,000 GTIN from the fake upstream to ready"
t0=$(now_ms)
PIOTD_PASSWORD=till PIOTD_UPSTREAM_PASSWORD=admin "$bin/daemon/piotd" --data-dir "$work/till" \
    --listen "127.0.0.1:$till_port" --upstream "http://127.0.0.1:$fake_port" --sync-period 1 \
    2>"$work/till.log" &
till_pid=$!
pids+=($till_pid)
peak_rss=0; peak_anon=0
# Without forks (bash builtins only), so sampling during the latency windows adds no processes
# that would compete with the checks being measured.
mkfifo "$work/tick"; exec 9<>"$work/tick"
nap() { read -r -t "$1" -u 9 || true; }
sample_rss() {
    local key value rest
    while read -r key value rest; do
        case "$key" in
            VmRSS:) (( value > peak_rss )) && peak_rss=$value ;;
            RssAnon:) (( value > peak_anon )) && peak_anon=$value ;;
        esac
    done <"/proc/$till_pid/status" 2>/dev/null || true
    return 0
}
until [[ "$(status)" == ready ]]; do sample_rss; sleep 0.05; done
t1=$(now_ms)
echo "start to ready: $(( t1 - t0 )) ms (includes process start and all four lists)"
grep -o 'blocked_cis: snapshot loaded.*' "$work/till.log" | sed 's/^/daemon log: /'
echo "peak RSS during the initial ingest: VmRSS $(( peak_rss / 1024 )) MB, RssAnon $(( peak_anon / 1024 )) MB"

echo "== a 10,000-item delta"
seq 1 10000 | awk '{printf "0104600000000093215Delta%08d\n", $1}' >"$work/delta.txt"
curl -s -X POST --data-binary @"$work/delta.txt" "http://127.0.0.1:$fake_port/control/add?list=blocked_cis" >/dev/null
until grep -q 'applied 10000 changes' "$work/till.log"; do sleep 0.05; done
grep -o 'blocked_cis: applied 10000 changes in [0-9.]* ms' "$work/till.log" | sed 's/^/daemon log: /'

echo "== check latency at 1 connection, idle and during ingest, alternated $rounds times"
# bench/ingest_latency_bench.cpp: idle and ingest windows of $duration s alternate; in an ingest
# window the till re-loads the 1.1 M list back to back; checks are filed by when they started.
peak_rss=0; peak_anon=0
"$bin/bench/piotd_ingest_latency_bench" "$till_port" "$fake_port" "$duration" "$rounds" &
bench_pid=$!
while kill -0 "$bench_pid" 2>/dev/null; do sample_rss; nap 0.1; done
wait "$bench_pid"
grep -o 'blocked_cis: snapshot loaded.*' "$work/till.log" | tail -3 | sed 's/^/re-snapshot: /'
echo "peak RSS while re-ingesting and serving: VmRSS $(( peak_rss / 1024 )) MB, RssAnon $(( peak_anon / 1024 )) MB"
