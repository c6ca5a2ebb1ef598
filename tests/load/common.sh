# Sourced by the load tests. Needs PIOTD, PIOTD_LOAD_CLIENT (and PIOTD_FAKE_UPSTREAM for
# replication) in the environment; CTest sets them (tests/load/CMakeLists.txt).
set -euo pipefail

: "${PIOTD:?path of the piotd binary}"
: "${PIOTD_LOAD_CLIENT:?path of piotd_load_client}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

work="$(mktemp -d /tmp/piotd-load.XXXXXX)"
pids=()
mounts=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    for dir in "${mounts[@]}"; do umount "$dir" 2>/dev/null || true; done
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

auth="Authorization: Basic YWRtaW46YWRtaW4="
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_daemon LOG ARGS...: starts piotd (credentials admin:admin) on a free port; sets port and
# daemon_pid. Pass --demo for the demo lists (seeded only into empty lists; imported ones are kept).
start_daemon() {
    local log="$1"; shift
    port="$("$PIOTD_LOAD_CLIENT" free-port)"
    PIOTD_PASSWORD=admin PIOTD_UPSTREAM_USER=admin PIOTD_UPSTREAM_PASSWORD=admin \
        "$PIOTD" --listen "127.0.0.1:$port" "$@" >"$log" 2>&1 &
    daemon_pid=$!
    pids+=("$daemon_pid")
    wait_http "http://127.0.0.1:$port/api/v1/status" 20 || { cat "$log" >&2; fail "piotd did not start"; }
}

# stop_daemon: SIGTERM, and the exit status must be 0 (a crash or sanitizer report fails it).
stop_daemon() {
    kill "$daemon_pid"
    local rc=0
    wait "$daemon_pid" || rc=$?
    [[ $rc -eq 0 ]] || fail "piotd exited with status $rc"
}

# wait_http URL SECONDS: until URL answers at all.
wait_http() {
    local deadline=$((SECONDS + $2))
    until curl -s -o /dev/null -H "$auth" "$1"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

status_json() { curl -s -H "$auth" "http://127.0.0.1:$port/api/v1/status"; }
check_code() { curl -s -H "$auth" "http://127.0.0.1:$port/api/v1/cis/check?cis=$1"; }

# start_upstream CIS_COUNT: the fake replication upstream (tests/fakes) on a free port; sets
# upstream_port.
start_upstream() {
    : "${PIOTD_FAKE_UPSTREAM:?path of piotd_fake_upstream}"
    upstream_port="$("$PIOTD_LOAD_CLIENT" free-port)"
    "$PIOTD_FAKE_UPSTREAM" --listen "127.0.0.1:$upstream_port" --cis "$1" --gtin 1000 \
        >"$work/upstream.log" 2>&1 &
    pids+=($!)
    local deadline=$((SECONDS + 60))
    until grep -q "listening" "$work/upstream.log" 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$work/upstream.log" >&2; fail "the fake upstream did not start"; }
        sleep 0.1
    done
}

# upstream_items LIST FILE: the fake upstream's items of LIST, one per line (piotd import input).
upstream_items() {
    curl -sf "http://127.0.0.1:$upstream_port/control/items?list=$1" >"$2" \
        || fail "cannot read the fake upstream's $1"
}

# mount_tmpfs DIR SIZE: a small file system to fill; exits 77 (CTest: skipped) if not permitted.
mount_tmpfs() {
    mkdir -p "$1"
    if ! mount -t tmpfs -o "size=$2" tmpfs "$1" 2>"$work/mount.err"; then
        echo "SKIPPED: cannot mount a tmpfs here ($(cat "$work/mount.err")); run as root" >&2
        exit 77
    fi
    mounts+=("$1")
}

# local_count LIST: localDocCount of LIST in /status ("unknown" before it was loaded).
local_count() {
    status_json | grep -o "\"$1\":{[^}]*}" | grep -o '"localDocCount":[^,}]*' | cut -d: -f2
}

# count_is LIST N: /status says LIST holds N items.
count_is() { [[ "$(local_count "$1")" == "$2" ]]; }

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# data_intact DIR: LMDB's own tool reads every database of the environment.
data_intact() {
    mdb_stat -a "$1" >"$work/mdb_stat.out" 2>&1 || { cat "$work/mdb_stat.out" >&2; return 1; }
}
