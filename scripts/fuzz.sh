#!/usr/bin/env bash
# Runs each coverage-guided fuzz target (fuzz/fuzz_targets/) for a fixed number of
# executions from the committed corpus (fuzz/corpus/), with a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Not part of CI. New inputs the fuzzer keeps
# go to a scratch corpus; crashes to fuzz/artifacts/. Every finding becomes a test.
# usage: scripts/fuzz.sh [RUNS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
shift || true
TARGETS=${*:-request_reader signatures reply_parser}
for t in $TARGETS; do
  scratch=$(mktemp -d)
  echo "== $t: $RUNS executions"
  cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$scratch" "fuzz/corpus/$t" -- -runs="$RUNS" -max_len=4096 2>&1 \
    | grep -E "^#[0-9]+.*(DONE|pulse)|SUMMARY|panicked|ERROR|artifact" | tail -4
  echo "   corpus kept: $(ls "$scratch" | wc -l) new inputs (not committed)"
  rm -rf "$scratch"
done
