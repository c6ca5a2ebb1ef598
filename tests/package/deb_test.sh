#!/usr/bin/env bash
# The Debian package end to end: build it with CPack from BUILD_DIR, install it with dpkg -i, run
# the installed binaries (by hand, as user piotd, on a spare port: CI containers run no systemd),
# reinstall (the upgrade path keeps password and data), then purge and check nothing is left.
# The generated password is in the conffile only: postinst's output (apt's terminal log) never
# carries it, and says where it is.
# Usage: deb_test.sh BUILD_DIR. Root only: exit 77 (CTest: skipped) otherwise.
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/start_daemon.sh"

if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: deb_test.sh installs a package and must run as root"
    exit 77
fi
for tool in dpkg-shlibdeps cpack runuser; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is missing (bash packaging/build-deps.sh package)"
        exit 77
    fi
done
if dpkg-query -W -f='${Status}' piotd 2>/dev/null | grep -q "install ok installed"; then
    echo "SKIP: a piotd package is installed on this machine; not touching it"
    exit 77
fi

work=$(mktemp -d /tmp/piotd-deb.XXXXXX)
chmod 0755 "$work"
installed=0
cleanup() {
    stop_daemon
    if ((installed)); then dpkg --purge piotd >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}
ok() { echo "ok: $*"; }

# dpkg takes a lock that apt and other installs hold for a while; wait for it.
dpkg_retry() {
    local out
    for _ in $(seq 1 60); do
        if out=$("$@" 2>&1); then
            echo "$out"
            return 0
        fi
        if ! grep -q "lock" <<<"$out"; then
            echo "$out"
            return 1
        fi
        sleep 2
    done
    echo "$out"
    return 1
}

cmake --build "$build" --target piotd piotctl >/dev/null
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$work"/out/piotd_*_amd64.deb 2>/dev/null | head -1)
[[ -n "$deb" ]] || fail "no piotd_<version>_amd64.deb in $(ls "$work/out")"
ok "built $(basename "$deb")"

control=$(dpkg-deb -f "$deb")
grep -q '^Package: piotd$' <<<"$control" || fail "package name"
grep -q '^Depends: .*libc6' <<<"$control" || fail "shlibdeps gave no Depends on libc6: $control"
ok "Depends: $(sed -n 's/^Depends: //p' <<<"$control")"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/piotd/piotd.conf ||
    fail "/etc/piotd/piotd.conf is not a conffile"
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/piotd ./usr/bin/piotctl ./usr/lib/systemd/system/piotd.service \
    ./etc/piotd/piotd.conf ./usr/share/doc/piotd/operations.md; do
    grep -q " $path\$" <<<"$contents" || fail "$path is not in the package"
done
ok "package contents"

out=$(dpkg_retry dpkg -i "$deb") || { echo "$out"; fail "dpkg -i"; }
installed=1
grep -q "generated an API password" <<<"$out" || fail "postinst generated no password: $out"
where="piotd: the API password is in /etc/piotd/piotd.conf ([auth] password)"
grep -qxF "$where" <<<"$out" || fail "postinst did not say where the password is: $out"
ok "installed; postinst said where the password is"

/usr/bin/piotd --version | grep -q '^piotd ' || fail "piotd --version"
ok "$(/usr/bin/piotd --version)"
getent passwd piotd >/dev/null || fail "no user piotd"
[[ $(stat -c '%a %U %G' /etc/piotd/piotd.conf) == "640 root piotd" ]] ||
    fail "config is $(stat -c '%a %U %G' /etc/piotd/piotd.conf), not 640 root piotd"
[[ $(stat -c '%U %G' /var/lib/piotd) == "piotd piotd" ]] || fail "/var/lib/piotd not owned by piotd"
password=$(sed -n 's/^password = \(.*\)$/\1/p' /etc/piotd/piotd.conf)
[[ ${#password} -ge 20 ]] || fail "generated password too short: '${password}'"
[[ $(sed -n '/^\[auth\]/,/^\[/s/^password = \(.*\)$/\1/p' /etc/piotd/piotd.conf) == "$password" ]] ||
    fail "the password is not in the conffile's [auth] section"
grep -qF -- "$password" <<<"$out" && fail "postinst printed the password: $out"
ok "user, config 0640 root:piotd with a password, data dir owned by piotd"

blocked='0104850013000162215!!Y!BsOtaR_n'
allowed='0104603586014674215012516137746'
echo "$blocked" >"$work/cis.txt"
echo "04601662000016" >"$work/gtin.txt"
chmod 0644 "$work/cis.txt" "$work/gtin.txt"
as_piotd() { runuser -u piotd -- "$@"; }
as_piotd /usr/bin/piotd import --config /etc/piotd/piotd.conf --data-dir /var/lib/piotd \
    --list blocked_cis "$work/cis.txt" >/dev/null || fail "import blocked_cis as piotd"
as_piotd /usr/bin/piotd import --config /etc/piotd/piotd.conf --data-dir /var/lib/piotd \
    --list blocked_gtin "$work/gtin.txt" >/dev/null || fail "import blocked_gtin as piotd"

start_daemon "$work/piotd.log" runuser -u piotd -- /usr/bin/piotd --config /etc/piotd/piotd.conf ||
    fail "the installed piotd did not start"
url="http://127.0.0.1:$DAEMON_PORT"
ok "installed piotd runs as user piotd on $url"
# piotctl reads the generated password from the installed config.
echo "a-test-token" | /usr/bin/piotctl --url "$url" init - >/dev/null || fail "piotctl init"
for _ in $(seq 1 100); do
    /usr/bin/piotctl --url "$url" status >/dev/null && break
    sleep 0.1
done
/usr/bin/piotctl --url "$url" status | grep -q ': ready$' || fail "not ready after init"
set +e
check=$(/usr/bin/piotctl --url "$url" check "$blocked" "$allowed" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "piotctl check exit $rc (want 1: a blocked code): $check"
grep -q "^BLOCKED  $blocked\$" <<<"$check" || fail "blocked code not reported: $check"
grep -q "^ok       $allowed\$" <<<"$check" || fail "allowed code not reported: $check"
ok "a check against the installed binary: blocked and allowed codes"
curl -sf -o /dev/null "$url/metrics" && fail "/metrics open without credentials by default"
curl -sf -u "admin:$password" "$url/metrics" >"$work/metrics.txt" || fail "/metrics with the password"
grep -q '^piotd_checks_total' "$work/metrics.txt" || fail "/metrics has no piotd_checks_total"
stop_daemon
ok "metrics behind the generated password"

# Upgrade path: the same package again; config and data stay.
out=$(dpkg_retry dpkg -i "$deb") || { echo "$out"; fail "reinstall"; }
grep -q "generated an API password" <<<"$out" && fail "the password was generated again"
grep -qF -- "$password" <<<"$out" && fail "the upgrade's postinst printed the password: $out"
[[ $(sed -n 's/^password = \(.*\)$/\1/p' /etc/piotd/piotd.conf) == "$password" ]] ||
    fail "the password changed on upgrade"
[[ -s /var/lib/piotd/data.mdb ]] || fail "data lost on upgrade"
ok "upgrade keeps the password and the data"

dpkg_retry dpkg --purge piotd >/dev/null || fail "dpkg --purge"
installed=0
for path in /usr/bin/piotd /usr/bin/piotctl /etc/piotd /var/lib/piotd \
    /usr/lib/systemd/system/piotd.service; do
    [[ ! -e $path ]] || fail "$path left after purge"
done
getent passwd piotd >/dev/null && fail "user piotd left after purge"
ok "purge removes binaries, config, data and the user"
echo "deb package: all checks passed"
