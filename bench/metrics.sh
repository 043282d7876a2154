#!/usr/bin/env bash
# `lmp run --metrics` (Prometheus exporter): three measurements.
#
# (1) Events/s counted by `lmp run --metrics 127.0.0.1:0 --quiet PKG --pid N` (no output,
#     counting only) vs bench/native/consumer_native (table and json, run exactly as
#     throughput.sh runs it: run_one from lib.sh), same producer: bench/loadgen pinned to
#     CPU 0 + the evgen program; consumers pinned to CPU 1.  ROUNDS rounds, interleaved.
#     lmp writes nothing, so its rate comes from its own counter: once lmp counts events
#     (lmp_events_total > 0) and 0.5 s more have passed, at t1 and at t2 = t1 + DURATION
#     the script scrapes /metrics (lmp_events_total, process_cpu_seconds_total) and right
#     after each scrape reads evgen's `evgen_seq` (incremented by the BPF program for every
#     call it sees, before the ring-buffer reservation) from the program's .bss map
#     (bpftool map lookup; the map id is taken from lmp's /proc/PID/fdinfo).
#       lmp events/s      = (count2 - count1) / (t2 - t1)      (t = wall clock before the scrape)
#       produced/s        = (seq2 - seq1) / (t2 - t1)
#       delivered share   = (count2 - count1) / (seq2 - seq1)
#       CPU per event     = (cpu2 - cpu1) / (count2 - count1)
#     The native side: events written / kernel-timestamp span of the first and last
#     written event, delivered share = written / (seq_last - seq_first + 1) (lib.sh's
#     analyze).  Both figures are what the consumer sustains while the producer runs.
#     Ratio lmp/native of the medians, target >= 1 (counting should not be slower than
#     printing).
# (2) Scrape latency with 1000 series: lmp runs evgen with a --metrics-config counter
#     labelled by `seq` (every event has a new value; max_series 1000, so the family holds
#     1000 series + the `other` overflow series) and runqlat beside it (its log2
#     histogram), loadgen producing.  Once the scrape shows >= 1000 series, scrapes are
#     timed four ways: while the producer still runs ("busy": lmp drains ~1 M events/s on
#     CPU 1) and after it stopped ("idle"), each over one keep-alive connection (as
#     Prometheus scrapes; `wrk -t1 -c1 -d LAT_SECONDS --latency`, sequential requests) and
#     with a new connection per request (curl's time_total, up to LAT_REQUESTS requests or
#     LAT_SECONDS).  p50/p99 and the response size.  Target: p99 < 10 ms.
# (3) RSS of three packages: `lmp run --quiet --metrics 127.0.0.1:0 opensnoop -- execsnoop
#     -- runqlat` (one process), the same without --metrics, and three separate
#     `lmp run --quiet PKG`; after RSS_WAIT seconds (default 3) of running, VmRSS of every
#     lmp process (/proc/PID/status) is summed per setup.  Median of ROUNDS.  Catalog names
#     (bundled, no network).
#
# Environment: DURATION (5), ROUNDS (3), LAT_SECONDS (5), LAT_REQUESTS (500, curl scrapes at most),
# RSS_WAIT (3), BENCH_DIR, LMP, BENCH_TMPFS (see README.md).  Raw data in
# $BENCH_DIR/data/metrics-*.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
LAT_SECONDS=${LAT_SECONDS:-5}
LAT_REQUESTS=${LAT_REQUESTS:-500}
RSS_WAIT=${RSS_WAIT:-3}
TMPFS=${BENCH_TMPFS:-/dev/shm}
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

# Every process this script starts (directly or through lib.sh's helpers) is a descendant
# of this shell: on exit, end them by pid, deepest first.
descendants() {
  local p
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$p"
    echo "$p"
  done
}
cleanup() {
  local p left
  left=$(descendants $$ | grep -vx "$BASHPID" || true)
  for p in $left; do kill "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in $left; do kill -9 "$p" 2>/dev/null || true; done
  rm -f "${out:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_prepare
bench_package evgen "$BENCH_SRC/programs/evgen"
dir=$BENCH_DIR/evgen
native_cc "$dir/consumer_native" "$BENCH_SRC/native/consumer_native.c" -I"$dir" -I"$BENCH_SRC/programs/evgen"
data=$BENCH_DIR/data
out=$TMPFS/lmp-bench-metrics.out
lines=()

# start_lmp ERRFILE ARGS...: `lmp run --metrics 127.0.0.1:0 ARGS` pinned to CPU 1 in the
# background; sets LMP_PID and METRICS_URL (from the address lmp prints on stderr).
start_lmp() {
  local err=$1 i addr=""
  shift
  taskset -c 1 "$LMP" run --metrics 127.0.0.1:0 "$@" 2>"$err" &
  LMP_PID=$!
  for ((i = 0; i < 200; i++)); do
    addr=$(grep -o 'http://127\.0\.0\.1:[0-9]*/metrics' "$err" | head -n1 || true)
    [[ -n $addr ]] && break
    kill -0 "$LMP_PID" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n $addr ]] || { log "lmp did not serve metrics: $(tail -n2 "$err")"; return 1; }
  METRICS_URL=$addr
}
stop_pid() { kill -INT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# value of one sample (first match of the regex on the name+labels) in a scrape
scrape_value() { awk -v re="$2" '$0 ~ re {print $NF; exit}' "$1"; }

# evgen's .bss map id, from the bpf map fds lmp holds
evgen_bss_id() {
  local id
  for id in $(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^map_id:/ {print $2}' | sort -un); do
    if bpftool map show id "$id" 2>/dev/null | grep -q 'name evgen\.bss'; then
      echo "$id"
      return
    fi
  done
}
evgen_seq() { bpftool -j map lookup id "$1" key 0 0 0 0 | grep -o '"evgen_seq":[0-9]*' | cut -d: -f2; }

# sample URL MAPID -> "t count cpu seq"
sample() {
  local t f=$BENCH_DIR/metrics-scrape.txt
  t=$EPOCHREALTIME
  curl -sf "$1" -o "$f"
  echo "$t $(scrape_value "$f" '^lmp_events_total\\{package="evgen"') $(scrape_value "$f" '^process_cpu_seconds_total') $(evgen_seq "$2")"
}

# lmp --quiet counting run under loadgen; appends a line in run_one's format to $results:
# label ok events/s produced/s counted produced lost% window_ms - vmhwm_kb cpu_us/event
run_lmp_quiet() {
  local label=$1 lg i c=0 id s1 s2 hwm
  "$BENCH_DIR/loadgen" -d $((${DURATION%.*} + 5)) -c 0 2>"$BENCH_DIR/loadgen.err" &
  lg=$!
  sleep 0.3
  if ! start_lmp "$BENCH_DIR/consumer.err" --quiet "$dir/package.json" --pid "$lg"; then
    echo "$label fail" >>"$results"; kill "$lg" 2>/dev/null || true; wait "$lg" 2>/dev/null || true; return
  fi
  for ((i = 0; i < 300; i++)); do
    c=$(curl -sf "$METRICS_URL" | awk '/^lmp_events_total\{package="evgen"/ {print $NF}' || true)
    [[ ${c:-0} -gt 0 ]] && break
    kill -0 "$LMP_PID" 2>/dev/null || break
    sleep 0.05
  done
  sleep 0.5
  id=$(evgen_bss_id "$LMP_PID")
  if [[ -z $id || ${c:-0} -eq 0 ]]; then
    log "$label: events counted: ${c:-none}, evgen.bss map id: ${id:-none}; lmp alive: $(kill -0 "$LMP_PID" 2>/dev/null && echo yes || echo no); $(tail -n2 "$BENCH_DIR/consumer.err")"
    echo "$label fail" >>"$results"
  else
    s1=$(sample "$METRICS_URL" "$id")
    sleep "$DURATION"
    s2=$(sample "$METRICS_URL" "$id")
    hwm=$(awk '/^VmHWM:/ {print $2}' /proc/"$LMP_PID"/status)
    echo "$s1 $s2" >>"$data/metrics-events-samples.txt"
    read -r t1 n1 cpu1 q1 t2 n2 cpu2 q2 <<<"$s1 $s2"
    awk -v l="$label" -v t1="$t1" -v n1="$n1" -v c1="$cpu1" -v q1="$q1" -v t2="$t2" -v n2="$n2" \
      -v c2="$cpu2" -v q2="$q2" -v hwm="$hwm" 'BEGIN {
      dt = t2 - t1; n = n2 - n1; q = q2 - q1
      printf "%s ok %.0f %.0f %d %d %.1f %d - %d %.3f\n", l, n / dt, q / dt, n, q,
        (q ? 100 * (q - n) / q : 0), dt * 1000, hwm, (n ? (c2 - c1) * 1e6 / n : 0)
    }' >>"$results"
    tail -n1 "$results" >&2
  fi
  stop_pid "$LMP_PID"
  kill "$lg" 2>/dev/null || true
  wait "$lg" 2>/dev/null || true
}

# ---------------------------------------------------------------- (1) events/s
results=$data/metrics-events.txt
: >"$results"
: >"$data/metrics-events-samples.txt"
configs=(native-table native-json)
have_pkg evgen && configs+=(lmp-quiet)
log "columns: config ok events/s produced/s written produced lost% wall_ms bytes maxrss_kb cpu_us/event"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${configs[@]}"; do
    case $c in
      native-table) run_one "$c" "$dir/consumer_native" -d "$DURATION" -p @PID@ ;;
      native-json) run_one "$c" "$dir/consumer_native" -j -d "$DURATION" -p @PID@ ;;
      lmp-quiet) run_lmp_quiet "$c" ;;
    esac
  done
done
med() { awk -v c="$1" -v k="$2" '$1==c && $2=="ok" {print $k}' "$results" | median; }
share() { awk -v c="$1" '$1==c && $2=="ok" {print 100 - $7}' "$results" | median; }
lq=$(med lmp-quiet 3)
for fmt in table json; do
  nat=$(med "native-$fmt" 3)
  per_round=$(awk -v n="native-$fmt" -v l=lmp-quiet '
    $1==n {nr++; nv[nr]=($2=="ok" ? $3 : "")} $1==l {lr++; lv[lr]=($2=="ok" ? $3 : "")}
    END {for (i = 1; i <= lr; i++) if (nv[i] > 0 && lv[i] > 0) print lv[i] / nv[i]}' "$results" | median)
  lines+=("$(printf 'metrics events/s vs native %-5s  lmp --quiet --metrics %s ev/s (delivered %s%%)  native %s ev/s (delivered %s%%)  ratio %sx, per-round median %s (target >= 1)' \
    "$fmt" "$lq" "$(share lmp-quiet)" "$nat" "$(share "native-$fmt")" "$(ratio "$lq" "$nat")" \
    "$(awk -v r="$per_round" 'BEGIN {if (r == "nan") print "n/a"; else printf "%.2fx", r}')")")
done
lines+=("$(printf 'metrics cpu/event  lmp --quiet %s us  native table %s us  native json %s us  (producer rate in lmp / native-table rounds: %s / %s ev/s; %d rounds of %ss)' \
  "$(med lmp-quiet 11)" "$(med native-table 11)" "$(med native-json 11)" "$(med lmp-quiet 4)" \
  "$(med native-table 4)" "$ROUNDS" "$DURATION")")

# ---------------------------------------------------------------- (2) scrape latency
# latency_wrk URL SECONDS RAWFILE -> "p50_ms p99_ms requests": one keep-alive connection
# (as Prometheus scrapes), sequential requests
latency_wrk() {
  command -v wrk >/dev/null || { echo "n/a n/a 0"; return; }
  wrk -t1 -c1 -d"${2}s" --latency "$1" >"$3" 2>&1 || true
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {d = 1; next}
    d && $1 == "50%" {p50 = ms($2)} d && $1 == "99%" {p99 = ms($2)}
    / requests in / {n = $1}
    END {printf "%.3f %.3f %s\n", p50, p99, n}' "$3"
}
# latency_curl URL SECONDS RAWFILE -> the same, one new connection per request (curl's
# time_total: connect to last byte), at most LAT_REQUESTS requests or SECONDS seconds
latency_curl() {
  local i end=$((${EPOCHREALTIME/./} + ${2%.*} * 1000000))
  for ((i = 0; i < LAT_REQUESTS; i++)); do
    curl -s -o /dev/null -w '%{time_total}\n' "$1"
    [[ ${EPOCHREALTIME/./} -lt $end ]] || break
  done >"$3"
  awk '{print $1 * 1000}' "$3" | sort -n | awk '{v[NR] = $1} END {
    i = int(NR * 0.99 + 0.5); if (i < 1) i = 1
    printf "%.3f %.3f %d\n", v[int(NR * 0.5 + 0.5)], v[i], NR}'
}
scrape_lat() {
  local mc=$BENCH_DIR/metrics-config.json lg i n=0 f=$BENCH_DIR/metrics-scrape.txt size all
  local wb cb wi ci what v p50 p99 nreq
  cat >"$mc" <<'EOF'
{"programs": [{"name": "evgen", "metrics": {"counters": [
  {"name": "lmp_bench_seq_total", "help": "evgen events by their seq field",
   "labels": ["seq"], "max_series": 1000}]}}]}
EOF
  # the producer runs through both busy measurements, then stops
  "$BENCH_DIR/loadgen" -d $((2 * ${LAT_SECONDS%.*} + 3)) -c 0 2>"$BENCH_DIR/loadgen.err" &
  lg=$!
  sleep 0.3
  start_lmp "$BENCH_DIR/metrics-lat.err" --quiet --metrics-config "$mc" "$dir/package.json" --pid "$lg" -- runqlat || return 1
  for ((i = 0; i < 100; i++)); do
    curl -sf "$METRICS_URL" -o "$f" || true
    n=$(grep -c '^lmp_bench_seq_total{' "$f" || true)
    [[ $n -ge 1000 ]] && break
    sleep 0.05
  done
  [[ $n -ge 1000 ]] || { log "scrape: only $n series of lmp_bench_seq_total"; stop_pid "$LMP_PID"; return 1; }
  wb=$(latency_wrk "$METRICS_URL" "$LAT_SECONDS" "$data/metrics-scrape-busy-wrk.txt")
  cb=$(latency_curl "$METRICS_URL" "$LAT_SECONDS" "$data/metrics-scrape-busy-curl.txt")
  kill -0 "$lg" 2>/dev/null || log "scrape: the producer stopped before the busy measurements ended"
  wait "$lg" 2>/dev/null || true
  sleep 0.5
  curl -sf "$METRICS_URL" -o "$f"
  cp "$f" "$data/metrics-scrape-sample.txt"
  size=$(stat -c %s "$f")
  n=$(grep -c '^lmp_bench_seq_total{' "$f" || true)
  all=$(grep -vc '^#' "$f" || true)
  wi=$(latency_wrk "$METRICS_URL" "$LAT_SECONDS" "$data/metrics-scrape-idle-wrk.txt")
  ci=$(latency_curl "$METRICS_URL" "$LAT_SECONDS" "$data/metrics-scrape-idle-curl.txt")
  stop_pid "$LMP_PID"
  lines+=("$(printf 'metrics scrape: %d series of lmp_bench_seq_total + runqlat histogram, %d samples, %d bytes per scrape (target p99 < 10 ms)' "$n" "$all" "$size")")
  for what in "idle, keep-alive (wrk -c1):$wi" "idle, new connection (curl):$ci" \
    "busy, keep-alive (wrk -c1):$wb" "busy, new connection (curl):$cb"; do
    v=${what#*:}
    read -r p50 p99 nreq <<<"$v"
    lines+=("$(printf 'metrics scrape  %-30s p50 %s ms  p99 %s ms  (%s requests)' "${what%%:*}" "$p50" "$p99" "$nreq")")
  done
}
if have_pkg evgen; then
  scrape_lat || lines+=("metrics scrape: failed (see $BENCH_DIR/metrics-lat.err)")
fi

# ---------------------------------------------------------------- (3) RSS, 3 packages
rss_sum() { local p s=0; for p in "$@"; do s=$((s + $(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status))); done; echo "$s"; }
: >"$data/metrics-rss.txt"
pkgs=(opensnoop execsnoop runqlat)
for ((r = 1; r <= ROUNDS; r++)); do
  # one process, --metrics
  "$LMP" run --quiet --metrics 127.0.0.1:0 opensnoop -- execsnoop -- runqlat >/dev/null 2>"$BENCH_DIR/rss-one.err" &
  p=$!
  sleep "$RSS_WAIT"
  echo "one-metrics $(rss_sum "$p")" >>"$data/metrics-rss.txt"
  stop_pid "$p"
  # one process, no --metrics
  "$LMP" run --quiet opensnoop -- execsnoop -- runqlat >/dev/null 2>"$BENCH_DIR/rss-one.err" &
  p=$!
  sleep "$RSS_WAIT"
  echo "one-plain $(rss_sum "$p")" >>"$data/metrics-rss.txt"
  stop_pid "$p"
  # three processes
  ps3=()
  for k in "${pkgs[@]}"; do
    "$LMP" run --quiet "$k" >/dev/null 2>"$BENCH_DIR/rss-$k.err" &
    ps3+=($!)
  done
  sleep "$RSS_WAIT"
  echo "three $(rss_sum "${ps3[@]}") $(for p in "${ps3[@]}"; do awk '/^VmRSS:/ {printf "%s ", $2}' /proc/"$p"/status; done)" >>"$data/metrics-rss.txt"
  for p in "${ps3[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${ps3[@]}"; do wait "$p" 2>/dev/null || true; done
done
rmed() { awk -v c="$1" '$1==c && $2>0 {print $2}' "$data/metrics-rss.txt" | median; }
one=$(rmed one-metrics) plain=$(rmed one-plain) three=$(rmed three)
lines+=("$(printf 'metrics rss opensnoop+execsnoop+runqlat  one run --metrics %s KB (without --metrics %s KB)  three runs %s KB  ratio one/three %sx  (VmRSS after %ss, median of %d)' \
  "$one" "$plain" "$three" "$(ratio "$one" "$three")" "$RSS_WAIT" "$ROUNDS")")

machine_info
printf '%s\n' "${lines[@]}"
