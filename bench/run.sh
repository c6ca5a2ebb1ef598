#!/usr/bin/env bash
# Builds Release and prints piotd's benchmark figures (bench/README.md has the targets and the
# last recorded run). Loopback only; bounded in time (about two minutes).
#   bash bench/run.sh            all figures
#   DURATION=5 bash bench/run.sh shorter wrk runs
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=ON \
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

# wrk at 1 connection (latency) and 32 connections (throughput); prints "p50 p99 rps".
measure() {
    local url="$1" one many
    one="$(wrk -t1 -c1 -d"${duration}s" --latency -H "$auth" "$url")"
    many="$(wrk -t2 -c32 -d"${duration}s" --latency -H "$auth" "$url")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$one$many"; then
        echo "errors while measuring $url:" >&2; grep -E 'Non-2xx|Socket errors' <<<"$one$many" >&2
    fi
    to_us() { awk '{v=$1; if (v ~ /ms$/) {sub(/ms/,"",v); v*=1000} else if (v ~ /us$/) {sub(/us/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000000}; printf "%.0f", v}'; }
    printf '%s %s %s\n' "$(awk '$1=="50%"{print $2}' <<<"$one" | to_us)" \
        "$(awk '$1=="99%"{print $2}' <<<"$one" | to_us)" \
        "$(awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$many")"
}

echo "== the machine's loopback floor"
"$bin/bench/piotd_tcp_pingpong"
echo "== HTTP over loopback keep-alive, wrk ${duration}s per figure (p50/p99 at 1 connection, req/s at 32)"
"$bin/bench/piotd_http_floor" "$((port + 1))" 2 &
floor_pid=$!
sleep 0.3
read -r f50 f99 frps < <(measure "http://127.0.0.1:$((port + 1))/")
kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true
curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/cis/check?cis=$hit_url" | grep -q '"isBlocked":true' \
    || { echo "the hit code is not blocked"; exit 1; }
read -r m50 m99 mrps < <(measure "http://127.0.0.1:$port/api/v1/cis/check?cis=$miss")
read -r h50 h99 hrps < <(measure "http://127.0.0.1:$port/api/v1/cis/check?cis=$hit_url")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '%-34s %8s %8s %9s   %s\n' "server" "p50 us" "p99 us" "req/s" "ratio to floor (p50 p99 req/s)"
printf '%-34s %8s %8s %9s\n' "Beast floor (bench/http_floor)" "$f50" "$f99" "$frps"
printf '%-34s %8s %8s %9s   %s %s %s\n' "piotd GET cis/check, miss" "$m50" "$m99" "$mrps" \
    "$(ratio "$m50" "$f50")" "$(ratio "$m99" "$f99")" "$(ratio "$mrps" "$frps")"
printf '%-34s %8s %8s %9s   %s %s %s\n' "piotd GET cis/check, hit" "$h50" "$h99" "$hrps" \
    "$(ratio "$h50" "$f50")" "$(ratio "$h99" "$f99")" "$(ratio "$hrps" "$frps")"

echo "== memory of the daemon after the runs (kB)"
grep -E '^(VmRSS|RssAnon|RssFile)' "/proc/$daemon_pid/status"

# Stop this daemon before the replication figures, which start their own.
stop_daemon
bash bench/replication.sh
