#!/usr/bin/env bash
# Resident memory of `serve` before, with, and after a large world (issue 12): a world
# of N images (default 50,000, about 11.7 MB of JSON) is loaded through the control
# contract, then replaced by the default world. Prints VmRSS after each step.
# usage: scripts/world_memory.sh [BINARY] [IMAGES]
set -euo pipefail
BIN=${1:-target/release/copyimage-conformance}
N=${2:-50000}
big=$(mktemp); out=$(mktemp)
python3 - "$N" > "$big" <<'PY'
import json, sys
n = int(sys.argv[1])
w = json.load(open("fixtures/worlds/default.json"))
w["clock"] = {"mode": "system", "offset_seconds": 0}
for i in range(n):
    w["images"].append({"id": f"m-bulk{i:016d}", "region": "cn-qingdao", "owner": "1000000000000001",
                        "kind": "custom", "status": "Available", "created_at": "2021-01-01T00:00:00Z",
                        "snapshot_count": 1, "name": f"bulk-image-{i}", "description": "a bulk image of the memory test"})
json.dump(w, sys.stdout)
PY
"$BIN" serve --addr 127.0.0.1:0 > "$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$big" "$out"' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$out")
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status; }
echo "world of $(($(wc -c < "$big") / 1024)) KiB"
echo "started:            $(rss)"
curl -sS -o /dev/null -X PUT --data-binary @"$big" "$url/_conformance/world"
echo "large world loaded: $(rss)"
curl -sS -o /dev/null "$url/_conformance/world"
echo "large world read:   $(rss)"
curl -sS -o /dev/null -X PUT --data-binary @fixtures/worlds/default.json "$url/_conformance/world"
echo "default world back: $(rss)"
