#!/usr/bin/env bash
# Relay figures (docs/relay.md): enqueue latency of one sale, batched enqueue, relay throughput
# over loopback to the fake document sink (one request per document), or with STORE=1 to a real
# store piotd (batches through POST /api/v1/documents/batch). Needs build-release (Release, tests
# and bench on).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-build-release}"
port="${SINK_PORT:-16201}"
work="$(mktemp -d "${BENCH_TMP:-/tmp}/piotd-relay-bench.XXXXXX")"
if [[ -n "${STORE:-}" ]]; then
    "$bin/daemon/piotd" --demo --data-dir "$work/store" --listen "127.0.0.1:$port" \
        2>"$work/upstream.log" &
else
    "$bin/tests/fakes/piotd_fake_document_sink" --listen "127.0.0.1:$port" 2>"$work/upstream.log" &
fi
upstream=$!
trap 'kill $upstream 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
until grep -q listening "$work/upstream.log" 2>/dev/null; do sleep 0.05; done
"$bin/bench/piotd_relay_bench" "$port" "$work/data"
