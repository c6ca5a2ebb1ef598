#!/usr/bin/env bash
# Permissive-mode figures (docs/permissive-mode.md): piotd's overhead over the True API round
# trip, and the answer time with a hanging upstream. Release build, loopback, one fake host.
#   bash bench/permissive.sh             REQUESTS=20000 BUDGET_MS=1500 by default
set -euo pipefail
cd "$(dirname "$0")/.."

build="${BUILD:-build-release}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=ON \
    -DPIOTD_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --parallel "${JOBS:-2}" --target piotd piotd_fake_true_api \
    piotd_permissive_bench piotd_http_floor >/dev/null

requests="${REQUESTS:-20000}"
budget="${BUDGET_MS:-1500}"
port="${PORT:-15997}"
fake_port=$((port + 1))
floor_port=$((port + 2))
work="$(mktemp -d /tmp/piotd-permissive-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

"$build/tests/fakes/piotd_fake_true_api" --port "$fake_port" 2>"$work/fake.log" &
pids+=($!)
PIOTD_TOKEN=bench "$build/daemon/piotd" --demo --data-dir "$work/data" \
    --listen "127.0.0.1:$port" --true-api "http://127.0.0.1:$fake_port" \
    --online-budget-ms "$budget" --piot-listen "" --log-level warning 2>"$work/daemon.log" &
pids+=($!)
# The proxy floor: a bare Beast forwarder to the same fake, for the hops any proxy pays here.
"$build/bench/piotd_http_floor" "$floor_port" 2 "$fake_port" &
pids+=($!)
auth="Authorization: Basic YWRtaW46YWRtaW4="
until curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/trueapi/hosts" 2>/dev/null |
    grep -q '"host"'; do sleep 0.1; done

echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/bench/piotd_permissive_bench" "$port" "$fake_port" "$fake_port" "$budget" "$requests" \
    "$floor_port"
