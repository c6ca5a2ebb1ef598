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
# The targets and their input limits come from targets.txt ("name max_len library"), the file
# CMakeLists.txt reads too, so a new target is one line there. FUZZ_TARGETS="a b" runs a subset.
targets=()
declare -A max_len=()
while read -r name len _library; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    targets+=("$name")
    max_len[$name]="$len"
done <"$here/targets.txt"
if [ -n "${FUZZ_TARGETS:-}" ]; then read -r -a targets <<<"$FUZZ_TARGETS"; fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
# FUZZ_BUILD_ONLY=1: stop here (tests/run.sh builds the targets while CTest runs).
if [ "${FUZZ_BUILD_ONLY:-0}" = 1 ]; then exit 0; fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/piotd-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"

failed=0
summary=()
# Every input that once failed is replayed first, on its own: a regression fails the run even if
# the timed run below never reaches it again.
for target in "${targets[@]}"; do
    dir="$here/regressions/$target"
    [ -d "$dir" ] || continue
    mapfile -t inputs < <(find "$dir" -type f | sort)
    ((${#inputs[@]})) || continue
    log="$build/$target.regressions.log"
    if "$build/$target" -timeout=10 -rss_limit_mb=4096 "${inputs[@]}" >"$log" 2>&1; then
        echo "$target: ${#inputs[@]} regression input(s) replayed, ok"
    else
        echo "$target: regression replay FAILED (see $log):"
        tail -n 30 "$log"
        failed=1
    fi
done

# One timed run; its summary line goes to $scratch/$target.summary, its exit status is the result.
fuzz_one() {
    local target="$1" corpus="$scratch/$1" log="$build/$1.log" rc=0 result
    mkdir -p "$corpus"
    cp -r "$here/corpus/$target/." "$corpus/"
    if [ -d "$here/regressions/$target" ]; then cp -r "$here/regressions/$target/." "$corpus/"; fi
    # timeout(1) is a backstop: -max_total_time bounds the run, the extra minute covers start-up.
    timeout --kill-after=10 "$((seconds + 60))" \
        "$build/$target" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" >"$log" 2>&1 || rc=$?
    local execs rate cov units
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
    units="$(find "$corpus" -type f | wc -l)"
    if [ "$rc" -eq 0 ]; then
        result="ok"
    else
        result="FAILED (exit $rc; see $log, artifacts in $artifacts)"
        # CI keeps only the console: show the finding itself.
        grep -E -A 25 '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' "$log" | head -n 60 || true
    fi
    printf '%-24s execs=%-10s execs/s=%-7s %-20s corpus=%-5s %s\n' "$target" \
        "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$units" "$result" >"$scratch/$target.summary"
    return "$rc"
}

# The timed runs, FUZZ_JOBS at a time (default: one per core), so CI pays 60 s per core, not per
# target.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
if [ "$seconds" -gt 0 ]; then
    running=0
    for target in "${targets[@]}"; do
        if [ "$running" -ge "$jobs_max" ]; then
            wait -n || failed=1
            running=$((running - 1))
        fi
        fuzz_one "$target" &
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
    done
    for target in "${targets[@]}"; do summary+=("$(cat "$scratch/$target.summary")"); done
fi

printf '%s\n' "${summary[@]}"
passed=0
for line in "${summary[@]}"; do [[ "$line" == *" ok" ]] && passed=$((passed + 1)); done
if [ "$seconds" -gt 0 ]; then echo "fuzz: $passed passed, $((${#targets[@]} - passed)) failed"; fi
exit "$failed"
