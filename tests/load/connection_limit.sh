#!/usr/bin/env bash
# At [server] max_connections a new client takes the place of the connection idle the longest;
# with none idle it is refused cleanly (a 503 JSON answer or a close, at once), the connections
# held keep being served, and closed ones free their places.
source "$(dirname "$0")/common.sh"

limit=64
printf '[server]\nmax_connections = %d\n' "$limit" >"$work/piotd.conf"
start_daemon "$work/piotd.log" --demo --config "$work/piotd.conf" --data-dir "$work/data"
"$PIOTD_LOAD_CLIENT" connection-limit "$port" "$limit" \
    || { tail -n 20 "$work/piotd.log" >&2; fail "the connection limit was not handled cleanly"; }
# And the daemon is still whole afterwards.
status_json | grep -q '"status":"ready"' || fail "no ready status after the limit test"
stop_daemon
echo "connection_limit: ok"
