#!/usr/bin/env bash
# Relay figures (docs/relay.md): enqueue latency of one sale, batched enqueue, relay throughput to
# the fake document sink over loopback. Needs build-release (Release, tests and bench on).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-build-release}"
port="${SINK_PORT:-16201}"
work="$(mktemp -d "${BENCH_TMP:-/tmp}/piotd-relay-bench.XXXXXX")"
"$bin/tests/fakes/piotd_fake_document_sink" --listen "127.0.0.1:$port" 2>"$work/sink.log" &
sink=$!
trap 'kill $sink 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
until grep -q listening "$work/sink.log" 2>/dev/null; do sleep 0.05; done
"$bin/bench/piotd_relay_bench" "$port" "$work/data"
