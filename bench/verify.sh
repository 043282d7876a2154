#!/usr/bin/env bash
# Signature verification cost per run (issue 15; docs/signing.md). Target: < 1 ms for a
# 200 KB package.
#  (1) in-process: `lmp run -v --verify=require DIR -h` logs how long verifying took
#      ("verified 1 package(s) in N us": reading trust.json and the cache's refs.json,
#      hashing the signed files, one ed25519 check); median and p90 over RUNS runs.
#  (2) end to end: wall time of `lmp run --verify=require DIR -h` vs `--verify=off`,
#      interleaved (bench/tools/measure.c); the difference of the medians. -h parses the
#      package and prints its options without touching the kernel, so no root is needed
#      and the difference is what verification adds.
# The package is the catalog's opensnoop with config.json padded so that the signed files
# total about 200 KB (the figures scale with bytes hashed).
# Needs: build/lmp (or LMP), cc.
set -euo pipefail
cd "$(dirname "$0")/.."
LMP=${LMP:-build/lmp}
LMP=$(realpath "$LMP")
BENCH_DIR=${BENCH_DIR:-/tmp/lmp-bench}
RUNS=${RUNS:-100}
TARGET_KB=${TARGET_KB:-200}
work="$BENCH_DIR/verify"
rm -rf "$work"
mkdir -p "$work"
cc -O2 -o "$BENCH_DIR/measure" bench/tools/measure.c
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; print a[i]}'; }

export LMP_HOME="$work/home" LMP_REPOSITORY=
unset LMP_VERIFY
pulled=$("$LMP" pull opensnoop 2>/dev/null | tail -n 1)
pkg="$work/pkg"
mkdir -p "$pkg"
cp "$(dirname "$pulled")/package.json" "$pkg/"
size=$(stat -c %s "$pkg/package.json")
pad=$((TARGET_KB * 1024 - size - 200))
((pad > 0)) || pad=0
{
  printf '{"name":"opensnoop","version":"1.0.0","author":"bench","description":"verify bench",'
  printf '"x_padding":"%s"}\n' "$(head -c "$pad" /dev/zero | tr '\0' 'x')"
} >"$pkg/config.json"
"$LMP" key generate bench >/dev/null 2>&1
"$LMP" sign "$pkg" >/dev/null 2>&1
"$LMP" trust add bench >/dev/null 2>&1
signed=$(($(stat -c %s "$pkg/package.json") + $(stat -c %s "$pkg/config.json")))
"$LMP" run --verify=require "$pkg" -h >/dev/null || { echo "verify.sh: the signed package does not run" >&2; exit 1; }

# (1) in-process
: >"$work/inproc.txt"
for _ in $(seq "$RUNS"); do
  "$LMP" run -v --verify=require "$pkg" -h 2>&1 >/dev/null |
    sed -n 's/.*verified [0-9]* package(s) in \([0-9]*\) us.*/\1/p' >>"$work/inproc.txt"
done
in_median=$(median <"$work/inproc.txt")
in_p90=$(p90 <"$work/inproc.txt")

# (2) end to end
"$BENCH_DIR/measure" -n "$RUNS" -- "$LMP" run --verify=require "$pkg" -h \
  ::: "$LMP" run --verify=off "$pkg" -h >"$work/wall.txt"
require=$(awk '$1==0 && $5==0 {print $3}' "$work/wall.txt" | median)
off=$(awk '$1==1 && $5==0 {print $3}' "$work/wall.txt" | median)

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
awk -v b="$signed" -v m="$in_median" -v p="$in_p90" -v r="$RUNS" 'BEGIN {
  printf "verify    in-process  signed files %.0f KB  runs=%d  median %.3f ms  p90 %.3f ms (target < 1 ms)\n",
         b/1024, r, m/1000, p/1000 }'
awk -v q="$require" -v o="$off" -v r="$RUNS" 'BEGIN {
  printf "verify    end to end  runs=%d  --verify=require %.2f ms  --verify=off %.2f ms  added %.2f ms\n",
         r, q/1000, o/1000, (q-o)/1000 }'
