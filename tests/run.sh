#!/usr/bin/env bash
# One command that installs what is missing, builds piotd with ASan+UBSan, and runs every test
# (unit and integration, through CTest) while the libFuzzer targets build with clang beside it,
# then replays every input under tests/fuzz/regressions/ and fuzzes each target for FUZZ_SECONDS
# (default 60).
# .ci/run calls exactly this. FUZZ_SECONDS=0 skips the fuzzing (the replay still runs).
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh browser package
build=build-sanitize
# -g1 (line tables) is what the sanitizers' stack traces need and compiles ~20 % faster than -g.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPIOTD_SANITIZE=ON \
    -DPIOTD_BUILD_BENCH=OFF -DPIOTD_WERROR=ON -DPIOTD_PRECOMPILE_HEADERS=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1
cmake --build "$build"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The one test that compares latencies (check p99 under 1,000 idle and 200 slowloris connections
# against its own idle p99, measured one after the other) runs first, on a quiet machine: with a
# compiler beside it the two windows see different loads (one CI run measured 2.9x that way).
slow_clients='^load\.slow_clients$'
ctest --test-dir "$build" --output-on-failure --timeout 1200 -R "$slow_clients"

# The fuzz targets (clang, build-fuzz/) are built while the other tests run. They mostly wait on
# sockets, timers and child processes (they use about 40 % of two cores); the build runs at
# SCHED_IDLE, so it gets only the CPU they leave and any test thread that wakes preempts it.
# This saves about four minutes of the CI budget. Its own process group, so a failed CTest stops
# the whole build.
mkdir -p build-fuzz
FUZZ_BUILD_ONLY=1 setsid chrt --idle 0 bash tests/fuzz/run.sh >build-fuzz/build.log 2>&1 &
fuzz_build=$!
trap 'kill -- "-$fuzz_build" 2>/dev/null || true' EXIT

ctest --test-dir "$build" --output-on-failure --timeout 1200 -E "$slow_clients"

if ! wait "$fuzz_build"; then
    tail -n 60 build-fuzz/build.log
    echo "tests/run.sh: building the fuzz targets failed (build-fuzz/build.log)" >&2
    exit 1
fi
trap - EXIT

# Fuzzing: any finding (crash, leak, sanitizer report, timeout) fails the run.
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"
