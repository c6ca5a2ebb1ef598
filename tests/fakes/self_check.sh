#!/usr/bin/env bash
# Hand-run self-check of piotd_fake_upstream with curl (not part of ctest):
#   tests/fakes/self_check.sh path/to/piotd_fake_upstream
# Starts it on a free port with the default list sizes, checks every endpoint, the 410 cases and
# each fault mode, streams the 1,113,887-item snapshot while sampling the RSS, then SIGTERMs it.
# RSS_LIMIT_KB (default 65536) bounds the RSS; an ASan build needs far more (quarantine).
set -euo pipefail

BIN=${1:?usage: self_check.sh path/to/piotd_fake_upstream}
WORK=$(mktemp -d)
LOG=$WORK/upstream.log
"$BIN" --listen 127.0.0.1:0 --seed 7 2>"$LOG" &
PID=$!
cleanup() {
    kill "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -qs 'listening on' "$LOG" && break; sleep 0.1; done
PORT=$(sed -n 's/^fake_upstream listening on \([0-9]*\)$/\1/p' "$LOG")
[ -n "$PORT" ] || { cat "$LOG"; echo "FAIL: no port"; exit 1; }
U=http://127.0.0.1:$PORT
R=$U/api/v1/replication
A=(-s -u admin:admin)
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(($1))"; }
fault() { curl -s -X POST "$U/control/fault" -d "$1" >/dev/null; }
echo "fake upstream on port $PORT"

# --- auth and state
check "401 without credentials" [ "$(status_of "$R/state")" = 401 ]
check "401 with wrong credentials" [ "$(status_of -u admin:nope "$R/state")" = 401 ]
check "401 body is the JSON error" [ "$(curl -s "$R/state" | json 'd["errorCode"]')" = 4010 ]
STATE=$(curl "${A[@]}" "$R/state")
check "state lists blocked_cis with 1113887 items" \
    [ "$(echo "$STATE" | json 'd["lists"]["blocked_cis"]["docCount"]')" = 1113887 ]
check "state has 4 lists" [ "$(echo "$STATE" | json 'len(d["lists"])')" = 4 ]
EPOCH=$(echo "$STATE" | json 'd["lists"]["blocked_gtin"]["epoch"]')

# --- full snapshot, streamed slowly, RSS sampled meanwhile
curl "${A[@]}" --limit-rate 6M -D "$WORK/snap.head" "$R/snapshot?list=blocked_cis" \
    -o "$WORK/snap.ndjson" &
CURL=$!
max_rss=0
while kill -0 "$CURL" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    sleep 0.1
done
wait "$CURL"
echo "     RSS while streaming 1,113,887 items: max ${max_rss} kB"
check "RSS stays under ${RSS_LIMIT_KB:-65536} kB while streaming" [ "$max_rss" -lt "${RSS_LIMIT_KB:-65536}" ]
check "snapshot is chunked NDJSON" grep -qi 'transfer-encoding: chunked' "$WORK/snap.head"
check "snapshot content type" grep -qi 'content-type: application/x-ndjson' "$WORK/snap.head"
check "snapshot: header, 1113887 strictly increasing items, trailer" python3 - "$WORK/snap.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
assert lines[-1] == b''
header, trailer = json.loads(lines[0]), json.loads(lines[-2])
items = [json.loads(line) for line in lines[1:-2]]
assert header['list'] == 'blocked_cis' and header['docCount'] == 1113887, header
assert trailer == {'end': True, 'count': 1113887}, trailer
assert len(items) == 1113887
keys = [i.encode() for i in items]
assert all(a < b for a, b in zip(keys, keys[1:])), 'not in key order'
assert all(len(k) == 31 and k.startswith(b'01') and k[16:18] == b'21' for k in keys)
PY
check "snapshot is deterministic for a seed" cmp -s \
    <(curl "${A[@]}" "$R/snapshot?list=blocked_cis" | tail -n +2) <(tail -n +2 "$WORK/snap.ndjson")

# --- resume with after=
python3 - "$WORK/snap.ndjson" > "$WORK/resume" <<'PY'
import json, sys, urllib.parse
lines = open(sys.argv[1]).read().split('\n')
item = json.loads(lines[1 + 500000])
print(urllib.parse.quote(item, safe=''))
print(lines[1 + 500001])
PY
AFTER=$(sed -n 1p "$WORK/resume")
NEXT=$(sed -n 2p "$WORK/resume")
curl "${A[@]}" "$R/snapshot?list=blocked_cis&after=$AFTER" -o "$WORK/resumed.ndjson"
check "after= resumes at the next item" [ "$(sed -n 2p "$WORK/resumed.ndjson")" = "$NEXT" ]
check "resumed trailer counts the stream's items" \
    [ "$(tail -1 "$WORK/resumed.ndjson" | json 'd["count"]')" = $((1113887 - 500001)) ]

# --- control/items matches the snapshot
curl -s "$U/control/items?list=blocked_cis" -o "$WORK/items.txt"
check "control/items equals the snapshot's items" cmp -s "$WORK/items.txt" \
    <(python3 -c "
import json,sys
for l in open(sys.argv[1]).read().split('\n')[1:-2]: print(json.loads(l))" "$WORK/snap.ndjson")

# --- changes
ADDED=$(curl -s -X POST "$U/control/add?list=blocked_gtin" --data-binary $'4600000000017\n04600000000024\n')
check "add canonicalises and counts" [ "$(echo "$ADDED" | json 'd["seq"], d["docCount"]')" = "(2, 10002)" ]
curl -s -X POST "$U/control/remove?list=blocked_gtin" --data-binary '04600000000017' >/dev/null
curl -s -X POST "$U/control/add?list=blocked_gtin" --data-binary '04600000000031' >/dev/null
PAGE=$(curl "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=0")
check "changes since 0: 4 changes, more=false" \
    [ "$(echo "$PAGE" | json 'len(d["changes"]), d["more"], d["seq"], d["docCount"]')" = "(4, False, 4, 10002)" ]
check "changes carry ops and canonical items" \
    [ "$(echo "$PAGE" | json '[(c["seq"], c["op"], c["item"]) for c in d["changes"]][:3]')" = \
      "[(1, 'add', '04600000000017'), (2, 'add', '04600000000024'), (3, 'remove', '04600000000017')]" ]
PAGE=$(curl "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=1&limit=2")
check "limit pages with more=true" \
    [ "$(echo "$PAGE" | json '[c["seq"] for c in d["changes"]], d["more"]')" = "([2, 3], True)" ]
check "since=seq gives an empty page" [ "$(curl "${A[@]}" \
    "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=4" | json 'len(d["changes"]), d["more"]')" = "(0, False)" ]
check "bad add is rejected whole (400)" \
    [ "$(status_of -X POST "$U/control/add?list=blocked_gtin" --data-binary $'04600000000048\nnope')" = 400 ]
check "invalid since is 400" [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=x")" = 400 ]

# --- 410
BODY=$(curl "${A[@]}" "$R/changes?list=blocked_gtin&epoch=wrong&since=0")
check "410 on another epoch" [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=wrong&since=0")" = 410 ]
check "410 body" [ "$(echo "$BODY" | json 'd["code"], d["errorCode"], d["error"]')" = "(410, 4100, 'snapshot_required')" ]
curl -s -X POST "$U/control/compact?list=blocked_gtin&keep=2" >/dev/null
check "410 when since is older than the log" \
    [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=1")" = 410 ]
check "since = oldestSeq - 1 still served" \
    [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=2")" = 200 ]
RESET=$(curl -s -X POST "$U/control/reset?list=blocked_gtin&seq=0")
NEW_EPOCH=$(echo "$RESET" | json 'd["blocked_gtin"]["epoch"]')
check "reset makes a new epoch, seq 0" [ "$(echo "$RESET" | json 'd["blocked_gtin"]["seq"]')" = 0 ]
check "410 on the old epoch after reset" \
    [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$EPOCH&since=0")" = 410 ]
check "new epoch served" \
    [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$NEW_EPOCH&since=0")" = 200 ]
curl -s -X POST "$U/control/reset?list=min_price&items=body" --data-binary $'4600000000017 100\n4600000000017 250\n46000000000024 7' >/dev/null
check "reset items=body replaces the list, canonical, last price wins" \
    [ "$(curl -s "$U/control/items?list=min_price")" = $'04600000000017 250\n46000000000024 7' ]

# --- HTTP details
BIG=$(python3 -c "print('\n'.join('046%011d' % i for i in range(1000)))")
T=$(curl -s -o /dev/null -w '%{time_total}' -X POST "$U/control/add?list=blocked_gtin&raw=1" \
    --data-binary "$BIG")
check "Expect: 100-continue answered at once ($T s for a 15 kB body)" python3 -c "assert $T < 0.5"
curl -s -X POST "$U/control/remove?list=blocked_gtin" --data-binary "$BIG" >/dev/null
check "keep-alive: the second request reuses the connection" [ "$(curl "${A[@]}" -o /dev/null \
    -o /dev/null -w '%{num_connects} ' "$R/state" "$R/snapshot?list=blocked_series")" = "1 0 " ]
check "HTTP/1.0 snapshot: not chunked, complete" bash -c "curl -s -0 -u admin:admin \
    '$R/snapshot?list=blocked_series' | tail -1 | grep -q '\"end\":true'"

# --- faults
fault '{"mode":"status","status":503,"count":1,"paths":"state"}'
check "status fault: 503 once" [ "$(status_of "${A[@]}" "$R/state")" = 503 ]
check "status fault cleared after count" [ "$(status_of "${A[@]}" "$R/state")" = 200 ]
fault '{"mode":"status","status":429,"paths":"changes"}'
check "status fault only on its paths" [ "$(status_of "${A[@]}" "$R/state")" = 200 ]
check "status fault 429 on changes" \
    [ "$(status_of "${A[@]}" "$R/changes?list=blocked_gtin&epoch=$NEW_EPOCH&since=0")" = 429 ]
fault '{"mode":"none"}'
fault '{"mode":"slow","delay_ms":400,"count":1,"paths":"state"}'
T=$(curl "${A[@]}" -o /dev/null -w '%{time_total}' "$R/state")
check "slow fault delays the answer ($T s)" python3 -c "assert $T >= 0.4"
fault '{"mode":"slow","delay_ms":20,"count":1,"paths":"snapshot"}'
T=$(curl "${A[@]}" -o /dev/null -w '%{time_total}' "$R/snapshot?list=blocked_gtin")
check "slow fault delays each chunk ($T s for 3 chunks)" python3 -c "assert $T >= 0.06"
fault '{"mode":"drop","after_bytes":100000,"count":1,"paths":"snapshot"}'
set +e
curl "${A[@]}" "$R/snapshot?list=blocked_cis" -o "$WORK/dropped"
RC=$?
set -e
check "drop fault cuts the stream (curl rc $RC, $(stat -c %s "$WORK/dropped") bytes)" \
    [ "$RC:$(stat -c %s "$WORK/dropped")" = 18:100000 ]
fault '{"mode":"drop","after_bytes":10,"count":1,"paths":"state"}'
set +e
curl "${A[@]}" "$R/state" -o "$WORK/dropped"
RC=$?
set -e
check "drop fault on a JSON answer (curl rc $RC)" [ "$RC:$(stat -c %s "$WORK/dropped")" = 18:10 ]
fault '{"mode":"garbage","count":1,"paths":"snapshot"}'
check "garbage fault: non-JSON lines in the snapshot" \
    bash -c "curl -s -u admin:admin '$R/snapshot?list=blocked_series' | grep -q 'this is not JSON'"
fault '{"mode":"garbage","count":1,"paths":"changes"}'
check "garbage fault: 200 with malformed JSON" bash -c "! curl -s -u admin:admin \
    '$R/changes?list=blocked_gtin&epoch=$NEW_EPOCH&since=0' | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null"
fault '{"mode":"truncate","count":1,"paths":"snapshot"}'
GTINS=$(curl "${A[@]}" "$R/state" | json 'd["lists"]["blocked_gtin"]["docCount"]')
curl "${A[@]}" "$R/snapshot?list=blocked_gtin" -o "$WORK/truncated"
check "truncate fault: clean end without trailer" [ "$(wc -l <"$WORK/truncated"):$(grep -c \
    '"end"' "$WORK/truncated")" = "$((GTINS + 1)):0" ]
fault '{"mode":"truncate","after_bytes":1000,"count":1,"paths":"snapshot"}'
curl "${A[@]}" "$R/snapshot?list=blocked_cis" -o "$WORK/truncated"
check "truncate after_bytes: whole lines only ($(stat -c %s "$WORK/truncated") bytes)" \
    python3 -c "
import json; d=open('$WORK/truncated').read(); assert d.endswith('\n') and len(d) <= 1000
[json.loads(l) for l in d.splitlines()]"
check "fault count exhausted -> none" [ "$(curl -s "$U/control/fault" | json 'd["mode"]')" = none ]
check "stats count requests" [ "$(curl -s "$U/control/stats" | json 'd["requests"]["snapshot"] > 5 and d["faulted"] >= 10')" = True ]

# --- many connections at once
CLIENTS=()
for _ in $(seq 1 50); do
    curl "${A[@]}" -o /dev/null "$R/state" &
    CLIENTS+=($!)
done
wait "${CLIENTS[@]}"
check "still answering after 50 parallel clients" [ "$(status_of "${A[@]}" "$R/state")" = 200 ]

kill -TERM "$PID"
set +e
wait "$PID"
RC=$?
set -e
check "SIGTERM: exit 0" [ "$RC" = 0 ]
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
