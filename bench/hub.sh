#!/usr/bin/env bash
# lmp-hub on loopback, side by side with nginx serving the same static repository:
#  - requests/s and p99 of /index.json and of a 50 KB package file (wrk, 64 connections),
#    the hub counting downloads all the while; ratio hub/nginx (target >= 0.5, p99 < 20 ms)
#  - the hub's RSS idle and under that load
#  - `lmp publish` of a 1 MB package, end to end (target < 1 s)
#  - with 10,000 packages: search latency (API), explore and package page server time
#    p50/p99 (target p99 < 50 ms), and first-load page weight (target < 100 KB)
# Needs: wrk, nginx (apt-get install wrk nginx-light), curl; a built lmp and lmp-hub.
# No root needed. Environment: LMP, LMP_HUB (default build/lmp-hub), BENCH_DIR,
# HUB_PACKAGES (default 10000), WRK_SECONDS (default 5), CONNECTIONS (default 64).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
LMP_HUB=${LMP_HUB:-$REPO/build/lmp-hub}
HUB_PACKAGES=${HUB_PACKAGES:-10000}
WRK_SECONDS=${WRK_SECONDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install wrk nginx-light curl)"
done
[[ -x $LMP && -x $LMP_HUB ]] || die "build lmp and lmp-hub first (scripts/setup.sh)"

work=$BENCH_DIR/hub
rm -rf "$work" && mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# A loopback port nobody listens on.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# start_hub DATA_DIR -> sets HUB_URL and HUB_PID
start_hub() {
  local data=$1 log=$1.log
  "$LMP_HUB" serve --listen 127.0.0.1:0 --data "$data" 2>"$log" &
  HUB_PID=$!
  pids+=("$HUB_PID")
  for _ in $(seq 100); do
    HUB_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n1 || true)
    [[ -n $HUB_URL ]] && return 0
    sleep 0.1
  done
  die "lmp-hub did not start: $(cat "$log")"
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# wrk_run URL -> "REQ_PER_S P99_MS"
wrk_run() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${WRK_SECONDS}s" --latency "$1")
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

# One connection, sequential: server time percentiles of one URL -> "P50_MS P99_MS"
latency_run() {
  local out
  out=$(wrk -t1 -c1 -d"${WRK_SECONDS}s" --latency "$1")
  awk '$1 == "50%" || $1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; printf "%s ", v} END {print ""}' <<<"$out"
}

log "== building a package of ~50 KB and the static repository"
pkgsrc=$work/src
mkdir -p "$pkgsrc"
"$LMP" build "$REPO/bench/programs/evgen" -o "$pkgsrc" >/dev/null 2>&1 || die "lmp build evgen failed"
# The measured download is the version's main file, package.json, padded to 50 KB with a
# key readers ignore (the object itself is only a few KB).
size=$(stat -c %s "$pkgsrc/package.json")
pad=$((50 * 1024 - size - 20))
{ printf '{"x_bench_padding": "%s",' "$(head -c "$pad" /dev/zero | tr '\0' a)"; tail -c +2 "$pkgsrc/package.json"; } >"$pkgsrc/padded.json"
mv "$pkgsrc/padded.json" "$pkgsrc/package.json"
size=$(stat -c %s "$pkgsrc/package.json")
log "package.json is $size bytes"
cat >"$pkgsrc/config.json" <<EOF
{"name": "benchpkg", "version": "1.0.0", "author": "bench", "description": "benchmark package"}
EOF
printf '# benchpkg\n\nA package for the benchmark.\n' >"$pkgsrc/README.md"
"$LMP" repo build "$pkgsrc" "$work/repo" >/dev/null
file_path=/benchpkg/1.0.0/package.json

log "== lmp-hub with the same package"
"$LMP_HUB" user add bench --admin --password-stdin --data "$work/data" <<<'bench-password-1' >/dev/null
"$LMP_HUB" import "$work/repo" --owner bench --data "$work/data" >/dev/null
start_hub "$work/data"
sleep 0.5
idle_rss=$(rss_kib "$HUB_PID")

log "== nginx on the static repository"
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$nginx_port; root $work/repo; etag on; }
}
EOF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/index.json" >/dev/null && break; sleep 0.1; done

read -r n_idx_rps n_idx_p99 < <(wrk_run "http://127.0.0.1:$nginx_port/index.json")
read -r h_idx_rps h_idx_p99 < <(wrk_run "$HUB_URL/index.json")
read -r n_file_rps n_file_p99 < <(wrk_run "http://127.0.0.1:$nginx_port$file_path")
peak=0
( while kill -0 "$HUB_PID" 2>/dev/null; do r=$(rss_kib "$HUB_PID"); echo "$r"; sleep 0.2; done ) >"$work/rss.txt" &
sampler=$!
read -r h_file_rps h_file_p99 < <(wrk_run "$HUB_URL$file_path")
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss.txt" | tail -n1)
sleep 1.5  # the counter flushes once a second
counted=$(curl -sf "$HUB_URL/api/v1/packages/benchpkg" | grep -o '"downloads": *[0-9]*' | head -n1 | grep -o '[0-9]*$')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "hub index.json: $h_idx_rps req/s p99 ${h_idx_p99} ms; nginx $n_idx_rps req/s p99 ${n_idx_p99} ms; hub/nginx $(ratio "$h_idx_rps" "$n_idx_rps")x (target >= 0.5, p99 < 20 ms)"
echo "hub $size-byte package.json: $h_file_rps req/s p99 ${h_file_p99} ms; nginx $n_file_rps req/s p99 ${n_file_p99} ms; hub/nginx $(ratio "$h_file_rps" "$n_file_rps")x (target >= 0.5, p99 < 20 ms); downloads counted: ${counted:-?}"
echo "hub RSS: idle $((idle_rss / 1024)) MiB, under load peak $((peak / 1024)) MiB"

log "== lmp publish of a 1 MB package"
pub=$work/pub
mkdir -p "$pub"
cp "$pkgsrc/package.json" "$pub/"
cat >"$pub/config.json" <<EOF
{"name": "bigpkg", "version": "1.0.0", "author": "bench", "description": "a 1 MB package"}
EOF
head -c 700000 /dev/urandom | base64 -w 76 | sed 's/^/    /' >"$pub/body.txt"
{ printf '# bigpkg\n\n'; cat "$pub/body.txt"; } | head -c 1000000 >"$pub/README.md"
rm "$pub/body.txt"
# README.md is capped at 1 MiB; the upload is ~1 MB in all.
home=$work/home
LMP_HOME=$home "$LMP" login "$HUB_URL" -u bench --password-stdin <<<'bench-password-1' >/dev/null
start=$(date +%s%N)
LMP_HOME=$home LMP_HUB=$HUB_URL "$LMP" publish "$pub" >/dev/null 2>"$work/publish.log" || die "publish failed: $(cat "$work/publish.log")"
end=$(date +%s%N)
upload=$(du -cb "$pub"/* | tail -n1 | cut -f1)
echo "lmp publish of $upload bytes: $(( (end - start) / 1000000 )) ms end to end (target < 1000 ms)"
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true

log "== $HUB_PACKAGES generated packages"
gen=$work/gen
mkdir -p "$gen/repo"
sha=$(sha256sum "$pkgsrc/package.json" | cut -d' ' -f1)
bytes=$(stat -c %s "$pkgsrc/package.json")
words=(trace latency socket disk sched file net exec signal mount memory cpu tcp udp xdp tc block page irq lock)
{
  printf '{"schema_version": 1, "packages": {'
  for i in $(seq 1 "$HUB_PACKAGES"); do
    name=$(printf 'gen-%s-%s-%05d' "${words[i % 20]}" "${words[(i / 20) % 20]}" "$i")
    mkdir -p "$gen/repo/$name/1.0.0"
    ln "$pkgsrc/package.json" "$gen/repo/$name/1.0.0/package.json"
    [[ $i -gt 1 ]] && printf ','
    printf '"%s": {"versions": {"1.0.0": {"description": "generated %s tool for %s", "author": "bench", "category": "%s", "tags": ["%s"], "files": {"package.json": {"sha256": "%s", "size": %s}}}}}' \
      "$name" "${words[i % 20]}" "${words[(i / 20) % 20]}" "${words[i % 5]}" "${words[(i / 7) % 20]}" "$sha" "$bytes"
  done
  printf '}}\n'
} >"$gen/repo/index.json"
"$LMP_HUB" user add bench --admin --password-stdin --data "$gen/data" <<<'bench-password-1' >/dev/null
start=$(date +%s%N)
"$LMP_HUB" import "$gen/repo" --owner bench --data "$gen/data" >/dev/null
end=$(date +%s%N)
log "imported $HUB_PACKAGES packages in $(( (end - start) / 1000000 )) ms"
start_hub "$gen/data"
one=$(printf 'gen-%s-%s-%05d' "${words[77 % 20]}" "${words[(77 / 20) % 20]}" 77)
read -r s50 s99 < <(latency_run "$HUB_URL/api/v1/packages?q=latency+socket")
read -r e50 e99 < <(latency_run "$HUB_URL/")
read -r q50 q99 < <(latency_run "$HUB_URL/?q=tcp")
read -r p50 p99 < <(latency_run "$HUB_URL/p/$one")
echo "search API over $HUB_PACKAGES packages: p50 $s50 ms, p99 $s99 ms"
echo "explore page: p50 $e50 ms, p99 $e99 ms; explore search: p50 $q50 ms, p99 $q99 ms; package page: p50 $p50 ms, p99 $p99 ms (target p99 < 50 ms)"

# First-load weight: the page and every asset it references (all served by the hub).
weight() {
  local url=$1 total html assets
  html=$(curl -s "$url")
  total=${#html}
  assets=$(grep -oE '(href|src)="/static/[^"]+"' <<<"$html" | sed -E 's/^(href|src)="//; s/"$//' | sort -u)
  for a in $assets; do total=$((total + $(curl -s "$HUB_URL$a" | wc -c))); done
  external=$(grep -cE '(href|src)="https?://' <<<"$html" || true)
  echo "$total $external"
}
read -r we ext_e < <(weight "$HUB_URL/")
read -r wp ext_p < <(weight "$HUB_URL/p/$one")
echo "first load: explore $((we / 1024)) KiB, package page $((wp / 1024)) KiB including CSS/JS (target < 100 KB); external references: $ext_e, $ext_p"
