#!/usr/bin/env bash
# Figures of piotd in front of a local module (docs/local-module.md, issue 21): what piotd adds
# to the LM's own outCheck (interleaved with direct calls of the same fake LM), piotd's histograms
# of those checks, a scanned-ahead code's sale check against one answered from a second piotd's
# own lists (no LM), and the answer time with a hanging LM (timeouts, then the open circuit).
# Release build, loopback, the fake LM (api 2) standing for the store's ЛМ ЧЗ; a proxy floor
# (bench/http_floor.cpp forwarding to the same LM) measured beside them, for the hops any proxy
# pays here.
#   bash bench/lm_front.sh      REQUESTS=5000 pairs, AHEAD=2000 scan-ahead rounds, CHECKS=100 with
#                               a hanging LM by default (0 skips a phase);
#                               BUILD=dir (build-release); SKIP_BUILD=1 runs the binaries as built;
#                               PIN=CPU pins both piotds, the fake LM and the floor to CPU, the
#                               client to CPU 0 (as run.sh's latency_pair does; unpinned by
#                               default)
set -euo pipefail
cd "$(dirname "$0")/.."

build="${BUILD:-build-release}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=ON \
        -DPIOTD_BUILD_BENCH=ON >/dev/null
    cmake --build "$build" --parallel "${JOBS:-2}" --target piotd piotd_fake_local_module \
        piotd_lm_front_bench piotd_http_floor >/dev/null
fi

requests="${REQUESTS:-5000}"
checks="${CHECKS:-100}"
ahead="${AHEAD:-2000}"
port="${PORT:-16301}"
lm_port=$((port + 1))
floor_port=$((port + 2))
local_port=$((port + 3))
work="$(mktemp -d "${BENCH_TMP:-/tmp}/piotd-lm-front-bench.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

"$build/tests/fakes/piotd_fake_local_module" --listen "127.0.0.1:$lm_port" --api 2 \
    2>"$work/lm.log" &
pids+=($!)
until grep -q listening "$work/lm.log" 2>/dev/null; do sleep 0.05; done
"$build/daemon/piotd" --demo --data-dir "$work/data" --listen "127.0.0.1:$port" \
    --true-api "" --piot-listen "" --local-module "http://127.0.0.1:$lm_port" \
    --log-level warning 2>"$work/daemon.log" &
pids+=($!)
"$build/bench/piotd_http_floor" "$floor_port" 2 "$lm_port" /api/v2/cis/outCheck &
pids+=($!)
# The scan-ahead phase's other side: a piotd with no local module, answering from its own lists.
"$build/daemon/piotd" --demo --data-dir "$work/local" --listen "127.0.0.1:$local_port" \
    --true-api "" --piot-listen "" --log-level warning 2>"$work/local.log" &
pids+=($!)
# Ready when piotd's status mirrors the LM as ready (its first status poll has come back).
auth="Authorization: Basic YWRtaW46YWRtaW4="
deadline=$((SECONDS + 30))
until curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/status" 2>/dev/null |
    grep -q '"localModule":{[^{}]*"status":"ready"'; do
    if ((SECONDS > deadline)); then
        echo "piotd did not mirror the LM as ready within 30 s" >&2
        cat "$work/daemon.log" >&2
        exit 1
    fi
    sleep 0.1
done
until curl -sf -H "$auth" "http://127.0.0.1:$local_port/api/v1/status" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
        echo "the second piotd (no LM) did not answer within 30 s" >&2
        cat "$work/local.log" >&2
        exit 1
    fi
    sleep 0.1
done

client=()
if [[ -n "${PIN:-}" ]]; then
    for pid in "${pids[@]}"; do taskset -a -c -p "$PIN" "$pid" >/dev/null; done
    client=(taskset -c 0)
fi
echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)${PIN:+, servers on CPU $PIN, client on CPU 0}"
"${client[@]}" "$build/bench/piotd_lm_front_bench" "$lm_port" "$port" "$requests" "$checks" \
    "$floor_port" "$local_port" "$ahead"
