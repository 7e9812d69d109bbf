#!/usr/bin/env bash
# The built-in emulator's CPU time per API request and per staged world, measured on a
# `serve` process under wrk (BENCHMARKS.md, "Against a load tool"). Needs wrk and a
# release build: cargo build --release && scripts/emulator_cpu.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/copyimage-conformance
SECONDS_EACH=${1:-8}
ADDR=127.0.0.1:18099
TMP=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
"$BIN" serve --addr "$ADDR" > "$TMP/serve.out" 2>&1 &
PID=$!
sleep 1
TICK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
measure() { # label, then wrk arguments
    local label=$1; shift
    local a b out requests
    a=$(cpu)
    out=$(wrk -t2 -c8 -d"${SECONDS_EACH}s" "$@")
    b=$(cpu)
    requests=$(awk '/ requests in /{print $1}' <<<"$out")
    awk -v l="$label" -v t="$((b - a))" -v hz="$TICK" -v n="$requests" \
        'BEGIN { printf "%s: %d requests, %.2f s of emulator CPU, %.1f µs each\n", l, n, t / hz, 1e6 * t / hz / n }'
}
URL=$("$BIN" bench --print-url --endpoint "http://$ADDR")
measure "API request (wrk, one fixed signed request)" "$URL"
python3 - "$TMP/put.lua" <<'PY'
import json, sys
body = json.dumps(json.load(open("fixtures/worlds/default.json")), separators=(",", ":"))
open(sys.argv[1], "w").write(
    'wrk.method = "PUT"\nwrk.path = "/_conformance/world"\n'
    'wrk.headers["content-type"] = "application/json"\nwrk.body = [==[' + body + ']==]\n')
PY
measure "staged world (wrk, PUT /_conformance/world, the default world)" -s "$TMP/put.lua" "http://$ADDR"
