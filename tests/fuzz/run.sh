#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz/ and runs each for SECONDS
# (default 60) on a scratch copy of its seed corpus. Exits non-zero if any target fails.
# Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build-fuzz"

if ! dpkg -s clang libclang-rt-14-dev >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: clang and libclang-rt-14-dev are missing; run as root to install them" >&2
        exit 2
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y clang libclang-rt-14-dev
fi

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
targets=(fuzz_marking_code fuzz_lm_request fuzz_replication_feed fuzz_http_request)
targets+=(fuzz_shtrih_frame fuzz_relay_document)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

declare -A max_len=(
    [fuzz_marking_code]=512
    [fuzz_lm_request]=8192
    [fuzz_replication_feed]=4096
    [fuzz_http_request]=8192
    [fuzz_relay_document]=8192
)
max_len[fuzz_shtrih_frame]=1024

scratch="$(mktemp -d "${TMPDIR:-/tmp}/piotd-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"

failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/$target"
    mkdir -p "$corpus"
    cp -r "$here/corpus/$target/." "$corpus/"
    if [ -d "$here/regressions/$target" ]; then cp -r "$here/regressions/$target/." "$corpus/"; fi
    log="$build/$target.log"
    rc=0
    # timeout(1) is a backstop: -max_total_time bounds the run, the extra minute covers start-up.
    timeout --kill-after=10 "$((seconds + 60))" \
        "$build/$target" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" >"$log" 2>&1 || rc=$?
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    if [ "$rc" -eq 0 ]; then
        result="ok"
    else
        result="FAILED (exit $rc; see $log, artifacts in $artifacts)"
        failed=1
    fi
    summary+=("$(printf '%-24s execs=%-10s execs/s=%-8s %s' "$target" "${execs:-?}" \
        "${rate:-?}" "$result")")
done

printf '%s\n' "${summary[@]}"
exit "$failed"
