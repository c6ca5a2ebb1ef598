#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and run piotd on an embedded
# default — its own LMDB under ./demo-data, seeded with demo black lists, admin:admin,
# listening on 127.0.0.1:5995. Stop it with Ctrl-C. See README.md for curl lines to try.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=OFF \
    -DPIOTD_BUILD_BENCH=OFF >/dev/null
cmake --build build-release --target piotd

listen="${PIOTD_DEMO_LISTEN:-127.0.0.1:5995}"
echo "piotd demo: data in ./demo-data, API on http://$listen (admin:admin); Ctrl-C stops it"
exec ./build-release/daemon/piotd --demo --data-dir ./demo-data --listen "$listen"
