#!/usr/bin/env bash
# Runs the benchmarks (startup, throughput, rss, wasm, metrics) and keeps their summary lines in
# $BENCH_DIR/results.txt (default /tmp/lmp-bench/results.txt).  Needs root.
# Environment: LMP (default build/lmp), BENCH_DIR, and each script's own knobs (RUNS,
# DURATION, ROUNDS, ...): see bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
mkdir -p "$BENCH_DIR"
results=$BENCH_DIR/results.txt
{
  "$here/startup.sh"
  "$here/throughput.sh"
  "$here/rss.sh"
  "$here/wasm.sh"
  "$here/metrics.sh"
} 2> >(sed 's/^/  [log] /' >&2) | awk '!seen[$0]++' | tee "$results"
echo "summary written to $results" >&2
