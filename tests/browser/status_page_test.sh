#!/usr/bin/env bash
# The status page in a real browser (headless Chromium): it renders, lists the state and every
# list, shows a hostile code as text, and its script refreshes it from /api/v1/status/page.
# Usage: status_page_test.sh PIOTD_BINARY [SCREENSHOT.png]
# Exit 77 (CTest: skipped) when Chromium is not installed: bash packaging/build-deps.sh browser.
set -euo pipefail
piotd=$1
screenshot=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/start_daemon.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
    echo "SKIP: chromium is not installed (bash packaging/build-deps.sh browser)"
    exit 77
fi

work=$(mktemp -d /tmp/piotd-browser.XXXXXX)
trap 'stop_daemon; rm -rf "$work"' EXIT
start_daemon "$work/piotd.log" "$piotd" --demo --data-dir "$work/data"
base="http://127.0.0.1:$DAEMON_PORT"
blocked='0104850013000162215!!Y!BsOtaR_n'
curl -sf -u admin:admin "$base/api/v1/cis/check?cis=0104850013000162215!!Y!BsOtaR_n" >/dev/null
curl -s -u admin:admin "$base/api/v1/cis/check?cis=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E" >/dev/null

chrome() {
    # --virtual-time-budget lets the page's timers and fetches run before the DOM is dumped.
    timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$work/profile" --virtual-time-budget=4000 "$@" \
        2>>"$work/chromium.log"
}

dom=$(chrome --dump-dom "http://admin:admin@127.0.0.1:$DAEMON_PORT/status")
failures=0
expect() {
    if grep -qF -- "$1" <<<"$dom"; then
        echo "ok: $2"
    else
        echo "FAIL: $2 (no '$1' in the rendered DOM)"
        failures=$((failures + 1))
    fi
}
refuse() {
    if grep -qF -- "$1" <<<"$dom"; then
        echo "FAIL: $2 ('$1' is in the rendered DOM)"
        failures=$((failures + 1))
    else
        echo "ok: $2"
    fi
}
expect 'class="state state-ready">ready<' "the state is ready"
expect 'Готов: списки загружены' "the reason in Russian"
for list in blocked_cis blocked_gtin blocked_series min_price; do
    expect "<tr id=\"list-$list\">" "a row for $list"
done
expect 'id="list-blocked_cis-local" class="n">8<' "blocked_cis holds the 8 demo codes"
expect 'live: refreshing every 5 s' "the script ran and its refresh succeeded"
expect 'id="updated">updated ' "the script replaced the rendered time with its own refresh"
expect "$blocked" "the last checks list the blocked code"
expect '&lt;img src=x onerror=alert(1)&gt;' "a hostile code is shown as text"
refuse '<img' "no element came out of a hostile code"
expect 'id="outbox-queued" class="n">0<' "the relay's outbox shows its queue"
expect 'id="outbox-warnings">none<' "the relay's outbox has no warnings"
expect 'no scanner or register driver' "the devices say none is configured"

# Without credentials the page is refused, and the browser shows no status.
anonymous=$(chrome --dump-dom "$base/status" || true)
if grep -qF 'state state-' <<<"$anonymous"; then
    echo "FAIL: the page rendered without credentials"
    failures=$((failures + 1))
else
    echo "ok: no credentials, no page"
fi

if [[ -n "$screenshot" ]]; then
    chrome --hide-scrollbars --window-size=1280,1200 --screenshot="$screenshot" \
        "http://admin:admin@127.0.0.1:$DAEMON_PORT/status" >/dev/null
    echo "screenshot: $screenshot"
fi

if ((failures)); then
    echo "--- DOM ---"
    echo "$dom" | head -c 4000
    exit 1
fi
echo "status page: all checks passed"
