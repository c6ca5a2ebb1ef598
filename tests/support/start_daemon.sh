# Sourced by the shell tests: start_daemon LOG ARGS… starts piotd on 127.0.0.1:0 (any free port),
# waits for its "listening on" line and sets DAEMON_PID and DAEMON_PORT. stop_daemon ends it.
start_daemon() {
    local log=$1
    shift
    "$@" --listen 127.0.0.1:0 >"$log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 1 200); do
        DAEMON_PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n "$DAEMON_PORT" ]] && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "daemon did not start:" >&2
    cat "$log" >&2
    return 1
}

stop_daemon() {
    if [[ -n "${DAEMON_PID:-}" ]]; then
        kill "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=
    fi
}
