#!/usr/bin/env bash
# lmp check time per catalog tool (issue 15): wall time of `lmp check --json NAME` with the
# trial load (root) and with --no-load, the median of RUNS runs each, from a warm cache.
# Prints one line per tool: name, ms with trial load, ms with --no-load.
# Needs: build/lmp (or LMP) and its bundled catalog (build/catalog); root for the trial load.
set -euo pipefail
cd "$(dirname "$0")/.."
LMP=${LMP:-build/lmp}
LMP=$(realpath "$LMP")
BENCH_DIR=${BENCH_DIR:-/tmp/lmp-bench}
RUNS=${RUNS:-10}
export LMP_HOME="$BENCH_DIR/check/home"
mkdir -p "$LMP_HOME"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Milliseconds of one run of "$@" (its exit code ignored: a failed check is still timed).
time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
tools=$(ls catalog)
printf '%-12s %12s %12s\n' tool "check (ms)" "--no-load"
for tool in $tools; do
  "$LMP" check --json "$tool" >/dev/null 2>&1 || echo "note: lmp check $tool does not pass" >&2
  full=$(for _ in $(seq "$RUNS"); do time_ms "$LMP" check --json "$tool"; done | median)
  noload=$(for _ in $(seq "$RUNS"); do time_ms "$LMP" check --json --no-load "$tool"; done | median)
  printf '%-12s %12s %12s\n' "$tool" "$full" "$noload"
done
