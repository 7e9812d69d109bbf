#!/usr/bin/env bash
# Renders the screenshots README shows (docs/*.png) with headless Chromium: the HTML
# report of a failing run (two faults) and of a passing one, and the matrix of three
# builds. Run after a change to the pages: scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
browser="${CONFORMANCE_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}"
cargo build --release --quiet
bin=target/release/copyimage-conformance
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { "$bin" run --cases 1000 --seed 4 --quiet --failures-dir "$work/failures" "$@" >/dev/null || true; }
run --fault name-max-plus-one --fault status-code-wrong --html "$work/report-failing.html" --report-json "$work/two-faults.json"
run --html "$work/report-passing.html" --report-json "$work/clean.json"
run --fault name-max-plus-one --report-json "$work/name.json"
"$bin" matrix "$work/clean.json" "$work/name.json" "$work/two-faults.json" --html "$work/matrix.html" >/dev/null
mkdir -p docs
shot() {
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="1280,$2" --screenshot="docs/$1.png" "file://$work/$1.html" 2>/dev/null
}
shot report-failing 1500
shot report-passing 900
shot matrix 1100
ls -l docs/*.png
