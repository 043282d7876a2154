#!/usr/bin/env bash
# Distribution benchmarks (issue 3):
#  (1) name resolution: `lmp run NAME -h` from a warm cache vs `lmp run PATH -h` on the
#      cached file itself. -h parses the package and prints its options without touching
#      the kernel, so the difference is what resolving NAME costs. Target: < 5 ms.
#  (2) pull throughput: `lmp pull` of a 64 MiB package from a loopback HTTP server vs
#      `curl -o` of the same file. Target: lmp >= 0.9x curl.
# Needs: build/lmp (or LMP), cc, curl, python3 (only as the loopback HTTP server).
set -euo pipefail
cd "$(dirname "$0")/.."
LMP=${LMP:-build/lmp}
LMP=$(realpath "$LMP")
BENCH_DIR=${BENCH_DIR:-/tmp/lmp-bench}
RUNS=${RUNS:-30}
mkdir -p "$BENCH_DIR/dist"
cc -O2 -o "$BENCH_DIR/measure" bench/tools/measure.c
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "distribution.sh: needs $tool" >&2; exit 1; }
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# (1) resolution
export LMP_HOME="$BENCH_DIR/dist/home"
rm -rf "$LMP_HOME"
path=$("$LMP" pull opensnoop 2>/dev/null | tail -n 1)
"$BENCH_DIR/measure" -n 3 -- "$LMP" run opensnoop -h ::: "$LMP" run "$path" -h >/dev/null
"$BENCH_DIR/measure" -n "$RUNS" -- "$LMP" run opensnoop -h ::: "$LMP" run "$path" -h \
  >"$BENCH_DIR/dist/resolve.txt"
by_name=$(awk '$1==0 {print $3}' "$BENCH_DIR/dist/resolve.txt" | median)
by_path=$(awk '$1==1 {print $3}' "$BENCH_DIR/dist/resolve.txt" | median)
awk -v n="$by_name" -v p="$by_path" -v r="$RUNS" 'BEGIN {
  printf "resolve   runs=%d  by name %.2f ms  by path %.2f ms  added %.2f ms (target < 5 ms)\n",
         r, n/1000, p/1000, (n-p)/1000 }'

# (2) pull throughput: a repository whose package carries a 64 MiB README.md
repo_src="$BENCH_DIR/dist/src/big"
rm -rf "$BENCH_DIR/dist/src" "$BENCH_DIR/dist/repo"
mkdir -p "$repo_src"
cp "$(dirname "$path")/package.json" "$repo_src/"
printf '{"name":"big","version":"1.0.0","author":"bench","description":"64 MiB payload"}\n' \
  >"$repo_src/config.json"
head -c $((64 * 1024 * 1024)) /dev/urandom | base64 >"$repo_src/README.md"
"$LMP" repo build "$BENCH_DIR/dist/src" "$BENCH_DIR/dist/repo" >/dev/null
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$BENCH_DIR/dist/repo" \
  >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
size=$(stat -c %s "$BENCH_DIR/dist/repo/big/1.0.0/README.md")
lmp_times=() curl_times=()
for _ in 1 2 3 4 5; do
  rm -rf "$LMP_HOME"
  start=$(date +%s%N)
  LMP_REPOSITORY="http://127.0.0.1:$port/" "$LMP" pull big >/dev/null 2>&1
  lmp_times+=($(($(date +%s%N) - start)))
  start=$(date +%s%N)
  curl -s -o "$BENCH_DIR/dist/curl.out" "http://127.0.0.1:$port/big/1.0.0/README.md"
  curl_times+=($(($(date +%s%N) - start)))
done
lmp_ns=$(printf '%s\n' "${lmp_times[@]}" | median)
curl_ns=$(printf '%s\n' "${curl_times[@]}" | median)
awk -v s="$size" -v l="$lmp_ns" -v c="$curl_ns" 'BEGIN {
  printf "pull      %.0f MiB  lmp %.0f MiB/s  curl %.0f MiB/s  ratio %.2fx (target >= 0.9)\n",
         s/1048576, s/1048576/(l/1e9), s/1048576/(c/1e9), c/l }'
echo "note: lmp pull also fetches index.json and package.json, verifies sha256 of every file and renames into the cache; curl only writes the one file" >&2
