#!/usr/bin/env bash
# One command that installs what is missing, builds piotd with ASan+UBSan, and runs every test
# (unit and integration, through CTest), then builds the libFuzzer targets with clang, replays
# every input under tests/fuzz/regressions/ and fuzzes each target for FUZZ_SECONDS (default 60).
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
ctest --test-dir "$build" --output-on-failure --timeout 1200

# Fuzzing: any finding (crash, leak, sanitizer report, timeout) fails the run.
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"
