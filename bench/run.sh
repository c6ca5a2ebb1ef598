#!/usr/bin/env bash
# Builds Release and prints piotd's benchmark figures (bench/README.md has the targets and the
# last recorded run). Loopback only; bounded in time (about two minutes).
#   bash bench/run.sh            all figures
#   DURATION=5 bash bench/run.sh shorter wrk runs
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=OFF \
    -DPIOTD_BUILD_BENCH=ON >/dev/null
cmake --build build-release >/dev/null

bin=build-release
duration="${DURATION:-10}"
work="$(mktemp -d /tmp/piotd-bench.XXXXXX)"
port="${PORT:-15995}"
daemon_pid=
cleanup() {
    [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
echo "== in-process check ($bin/bench/piotd_check_bench)"
"$bin/bench/piotd_check_bench"

echo "== import of 1,113,887 blocked CIS and 10,000 blocked GTIN (piotd import)"
data="$work/data"
start_daemon() {
    "$bin/daemon/piotd" --demo --data-dir "$data" --listen "127.0.0.1:$port" 2>"$work/daemon.log" &
    daemon_pid=$!
}
stop_daemon() {
    kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=
}
# First start seeds the demo lists; the imports then replace them with the full-size ones.
start_daemon; sleep 0.5; stop_daemon
"$bin/bench/piotd_generate_list" blocked_cis 1113887 1 >"$work/cis.txt"
"$bin/bench/piotd_generate_list" blocked_gtin 10000 3 >"$work/gtin.txt"
t0=$(date +%s%N)
"$bin/daemon/piotd" import --data-dir "$data" --list blocked_cis "$work/cis.txt"
t1=$(date +%s%N)
"$bin/daemon/piotd" import --data-dir "$data" --list blocked_gtin "$work/gtin.txt"
echo "import blocked_cis: $(( (t1 - t0) / 1000000 )) ms"

echo "== start to ready with 1.1 M blocked CIS in LMDB"
auth="Authorization: Basic YWRtaW46YWRtaW4="
t0=$(date +%s%N)
start_daemon
until curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/status" 2>/dev/null | grep -q '"status":"ready"'; do :; done
t1=$(date +%s%N)
echo "start to ready (exec to first ready answer, curl polling): $(( (t1 - t0) / 1000000 )) ms"
grep -o 'startup [0-9.]* ms' "$work/daemon.log" | sed 's/^/daemon-measured /' || true

miss="0104600000000000215NotListed0000"
hit="$(sed -n 500000p "$work/cis.txt")"
hit_url="$(printf '%s' "$hit" | od -An -tx1 -v | tr -d ' \n' | sed 's/\(..\)/%\1/g')"
for name in miss hit; do
    if [[ $name == miss ]]; then url="http://127.0.0.1:$port/api/v1/cis/check?cis=$miss"
    else url="http://127.0.0.1:$port/api/v1/cis/check?cis=$hit_url"; fi
    curl -sf -H "$auth" "$url" >/dev/null || { echo "check failed: $url"; exit 1; }
    echo "== HTTP GET check ($name), wrk ${duration}s"
    for conns in 1 32; do
        threads=$(( conns < 2 ? 1 : 2 ))
        out="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -H "$auth" "$url")"
        p50=$(awk '$1=="50%"{print $2}' <<<"$out")
        p99=$(awk '$1=="99%"{print $2}' <<<"$out")
        rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
        errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
        echo "connections $conns: p50 $p50  p99 $p99  req/s $rps ${errors:+($errors)}"
    done
done

echo "== memory of the daemon after the runs (kB)"
grep -E '^(VmRSS|RssAnon|RssFile)' "/proc/$daemon_pid/status"
