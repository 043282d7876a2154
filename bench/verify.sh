#!/usr/bin/env bash
# Signature verification cost per run (issue 15; docs/signing.md). Target: < 1 ms for a
# 200 KB package.
#  (1) in-process: `lmp run -v --verify=require PKG/package.json -h` logs how long verifying took
#      ("verified 1 package(s) in N us": reading trust.json and the cache's refs.json,
#      hashing the signed files, one ed25519 check); median and p90 over RUNS runs.
#  (2) end to end: wall time of `lmp run --verify=require PKG/package.json -h` vs `--verify=off`,
#      interleaved (bench/tools/measure.c); the difference of the medians. -h parses the
#      package and prints its options without touching the kernel, so no root is needed
#      and the difference is what verification adds.
# The package is the catalog's bootstrap: package.json, a ~220 KB app.wasm and config.json,
# about 240 KB signed (the figures scale with the bytes hashed), copied and signed with a key
# of the benchmark's own, trusted.
# Needs: build/lmp (or LMP), cc.
set -euo pipefail
cd "$(dirname "$0")/.."
LMP=${LMP:-build/lmp}
LMP=$(realpath "$LMP")
BENCH_DIR=${BENCH_DIR:-/tmp/lmp-bench}
RUNS=${RUNS:-100}
work="$BENCH_DIR/verify"
rm -rf "$work"
mkdir -p "$work"
cc -O2 -o "$BENCH_DIR/measure" bench/tools/measure.c
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; print a[i]}'; }

export LMP_HOME="$work/home" LMP_REPOSITORY=
unset LMP_VERIFY
pulled=$("$LMP" pull bootstrap 2>/dev/null | tail -n 1)
pkg="$work/pkg"
mkdir -p "$pkg"
cp "$(dirname "$pulled")"/{package.json,app.wasm,config.json} "$pkg/"
"$LMP" key generate bench >/dev/null 2>&1
"$LMP" sign "$pkg" >/dev/null 2>&1
"$LMP" trust add bench >/dev/null 2>&1
signed=$(cat "$pkg"/{package.json,app.wasm,config.json} | wc -c)
# package.json, not the directory (whose app.wasm would run): the signature covers all three.
"$LMP" run --verify=require "$pkg/package.json" -h >/dev/null ||
  { echo "verify.sh: the signed package does not run" >&2; exit 1; }

# (1) in-process
: >"$work/inproc.txt"
for _ in $(seq "$RUNS"); do
  "$LMP" run -v --verify=require "$pkg/package.json" -h 2>&1 >/dev/null |
    sed -n 's/.*verified [0-9]* package(s) in \([0-9]*\) us.*/\1/p' >>"$work/inproc.txt"
done
in_median=$(median <"$work/inproc.txt")
in_p90=$(p90 <"$work/inproc.txt")
in_min=$(sort -n "$work/inproc.txt" | head -n 1)

# (2) end to end
"$BENCH_DIR/measure" -n "$RUNS" -- "$LMP" run --verify=require "$pkg/package.json" -h \
  ::: "$LMP" run --verify=off "$pkg/package.json" -h >"$work/wall.txt"
require=$(awk '$1==0 && $5==0 {print $3}' "$work/wall.txt" | median)
off=$(awk '$1==1 && $5==0 {print $3}' "$work/wall.txt" | median)

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
awk -v b="$signed" -v m="$in_median" -v p="$in_p90" -v n="$in_min" -v r="$RUNS" 'BEGIN {
  printf "verify    in-process  signed files %.0f KB  runs=%d  min %.3f ms  median %.3f ms  p90 %.3f ms (target < 1 ms)\n",
         b/1024, r, n/1000, m/1000, p/1000 }'
awk -v q="$require" -v o="$off" -v r="$RUNS" 'BEGIN {
  printf "verify    end to end  runs=%d  --verify=require %.2f ms  --verify=off %.2f ms  added %.2f ms\n",
         r, q/1000, o/1000, (q-o)/1000 }'
