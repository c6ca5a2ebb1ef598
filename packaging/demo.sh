#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and run piotd on an embedded
# default — its own LMDB under ./demo-data, seeded with demo black lists, admin:admin,
# listening on 127.0.0.1:5995. Stop it with Ctrl-C. See README.md for curl lines to try.
# --demo seeds only the lists that are empty (a list already in ./demo-data stays) and keeps a
# password from PIOTD_PASSWORD; its first log line says what it seeded and kept.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=OFF \
    -DPIOTD_BUILD_BENCH=OFF >/dev/null
cmake --build build-release --target piotd

listen="${PIOTD_DEMO_LISTEN:-127.0.0.1:5995}"
credentials="admin:admin"
[[ -n "${PIOTD_PASSWORD:-}" ]] && credentials="${PIOTD_USER:-admin}:\$PIOTD_PASSWORD"
echo "piotd demo: data in ./demo-data, API on http://$listen ($credentials); Ctrl-C stops it"
exec ./build-release/daemon/piotd --demo --data-dir ./demo-data --listen "$listen"
