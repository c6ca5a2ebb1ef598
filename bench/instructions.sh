#!/usr/bin/env bash
# Instructions per HTTP request, piotd's GET cis/check against nginx serving the same body: the
# user-space work each server does for one keep-alive request, counted by valgrind (callgrind).
# Unlike wall-clock figures it does not move with a shared machine's load, so it shows what a
# change to the hot path saves. Kernel work (the syscalls, the same two per request for both
# servers) is not counted.
#   bash bench/instructions.sh          both servers, the top 25 functions of each
#   TOP=60 bash bench/instructions.sh   more functions
# Builds Release first (like bench/run.sh); takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-deps.sh bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIOTD_BUILD_TESTS=ON \
    -DPIOTD_BUILD_BENCH=ON >/dev/null
cmake --build build-release >/dev/null

bin=build-release
top="${TOP:-25}"
port="${PORT:-15895}"
work="$(mktemp -d /tmp/piotd-instructions.XXXXXX)"
server_pid=
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

auth="Authorization: Basic YWRtaW46YWRtaW4="
miss="0104600000000000215NotListed0000"

# Self cost per function from a callgrind dump, divided by the requests served: prints the total
# and the top functions. (callgrind_annotate attributes a mid-run dump of a threaded server to
# `clone`; reading the file directly does not.)
per_request() {
    local dump="$1" requests="$2"
    awk -v n="$requests" -v top="$top" '
        /^fn=/ { fn = substr($0, 4); next }
        /^calls=/ { skip = 1; next }
        /^[0-9+*-]/ {
            if (skip) { skip = 0; next }
            if (fn != "" && NF >= 2) { cost[fn] += $2; total += $2 }
        }
        END {
            printf "instructions per request: %.0f\n", total / n
            for (f in cost) printf "%10.0f  %s\n", cost[f] / n, substr(f, 1, 140) | "sort -rn | head -" top
        }' "$dump"
}

# Runs the server under callgrind, warms it up, then counts 10 s of wrk at 2 connections.
measure() {
    local name="$1" url="$2"
    shift 2
    valgrind --tool=callgrind --separate-threads=no --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$work/$name.cg" "$@" 2>"$work/$name.valgrind.log" &
    server_pid=$!
    local tries=0
    until curl -sf -H "$auth" "$url" >/dev/null 2>&1; do
        ((++tries < 300)) || { cat "$work/$name.valgrind.log"; exit 1; }
        sleep 0.1
    done
    wrk -t1 -c2 -d2s -H "$auth" "$url" >/dev/null
    callgrind_control -z "$server_pid" >/dev/null
    local out requests
    out="$(wrk -t1 -c2 -d10s -H "$auth" "$url")"
    callgrind_control -d "$server_pid" >/dev/null
    requests="$(awk '/requests in/{print $1}' <<<"$out")"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
    echo "== $name ($requests requests under callgrind)"
    per_request "$work/$name.cg.1" "$requests"
}

"$bin/daemon/piotd" --demo --data-dir "$work/data" --listen "127.0.0.1:$port" 2>"$work/seed.log" &
server_pid=$!
until curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/status" 2>/dev/null | grep -q '"status":"ready"'; do sleep 0.1; done
mkdir -p "$work/nginx/tmp"
curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/cis/check?cis=$miss" >"$work/nginx/body.json"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

measure piotd "http://127.0.0.1:$port/api/v1/cis/check?cis=$miss" \
    "$bin/daemon/piotd" --demo --data-dir "$work/data" --listen "127.0.0.1:$port"

# One nginx worker in the foreground, the same configuration as bench/run.sh's otherwise.
nginx_dir="$work/nginx"
cat >"$nginx_dir/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
user $(id -un) $(id -gn);
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $nginx_dir/tmp/body;
    proxy_temp_path $nginx_dir/tmp/proxy;
    fastcgi_temp_path $nginx_dir/tmp/fastcgi;
    uwsgi_temp_path $nginx_dir/tmp/uwsgi;
    scgi_temp_path $nginx_dir/tmp/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$((port + 2));
        location / {
            default_type application/json;
            return 200 '$(cat "$nginx_dir/body.json")';
        }
    }
}
NGINX
measure nginx "http://127.0.0.1:$((port + 2))/" \
    nginx -e "$nginx_dir/error.log" -p "$nginx_dir" -c "$nginx_dir/nginx.conf"
