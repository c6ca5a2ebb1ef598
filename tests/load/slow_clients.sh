#!/usr/bin/env bash
# 1,000 idle keep-alive connections plus 200 slowloris connections (one header byte every 2 s,
# reconnecting when the server's read timeout closes them) must not push the check p99 beyond
# 2x the idle p99 measured first in the same run. Prints both figures.
source "$(dirname "$0")/common.sh"

start_daemon "$work/piotd.log" --demo --data-dir "$work/data"
"$PIOTD_LOAD_CLIENT" slow-clients "$port" 1000 200 "${LOAD_SECONDS:-15}" "${LOAD_MAX_RATIO:-2}" \
    || { tail -n 20 "$work/piotd.log" >&2; fail "checks slowed down or failed under idle and slow clients"; }
stop_daemon
echo "slow_clients: ok"
