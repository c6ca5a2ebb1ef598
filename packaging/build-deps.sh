#!/usr/bin/env bash
# Installs the Debian 12 packages piotd needs to build and test, skipping those already there.
# Run as root (or with sudo). Used by packaging/demo.sh and tests/run.sh.
set -euo pipefail

packages=(
    g++ cmake ninja-build pkg-config curl
    libboost1.81-dev rapidjson-dev liblmdb-dev lmdb-utils libzxing-dev libserialport-dev
    libpng-dev libturbojpeg0-dev
    doctest-dev libssl-dev
    openssl
)
# The libFuzzer targets tests/run.sh builds and runs (tests/fuzz/run.sh).
packages+=(clang libclang-rt-14-dev)
# Extra sets: "bench" adds the load generator, nginx (a reference server bench/run.sh starts),
# valgrind (bench/instructions.sh counts instructions per request) and GNU time (bench/import.sh
# reads an import's peak RSS from /usr/bin/time -v);
# "browser" and "package" what the operations tests need (docs/operations.md).
for extra in "$@"; do
    case "$extra" in
        bench) packages+=(wrk nginx valgrind time) ;;
        # The status page test in a headless browser (large: only for tests).
        browser) packages+=(chromium) ;;
        # The .deb (dpkg-shlibdeps) and the unit checks (systemd-analyze).
        package) packages+=(dpkg-dev systemd) ;;
        *) echo "build-deps.sh: unknown extra '$extra'" >&2; exit 2 ;;
    esac
done

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]})); then
    echo "build-deps.sh: installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
