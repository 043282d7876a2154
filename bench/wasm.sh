#!/usr/bin/env bash
# WebAssembly user space: what running a tool's app.wasm in lmp's interpreter costs, against
# the same eBPF object run as a package (lmp's own C++ output) and a native libbpf program.
#   (a) load-to-attached: `lmp run --duration 0 app.wasm` vs `lmp run --duration 0
#       package.json` (the module is stopped at its first wait, i.e. once it loaded and
#       attached), interleaved RUNS times (default 20): evgen, and the catalog's bootstrap
#       when the lmp build beside $LMP has it (catalog-packages/bootstrap).
#   (b) sustained events/s through a guest callback that formats and prints every event:
#       bench/programs/evgen/app.c vs native/consumer_native (table) vs `lmp run PKG` (table),
#       run as throughput.sh runs its consumers (DURATION, ROUNDS).
#   (c) instructions per event, counted by valgrind's callgrind (no hardware counters needed):
#       each consumer once with loadgen flooding it and once with no events, both CG_SECONDS
#       (default 8) after attaching; (Ir_loaded - Ir_idle) / events written.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CG_SECONDS=${CG_SECONDS:-8}
TMPFS=${BENCH_TMPFS:-/dev/shm}

bench_prepare
command -v valgrind >/dev/null || die "valgrind is needed for (c) (apt-get install valgrind)"
bench_package evgen "$BENCH_SRC/programs/evgen"
have_pkg evgen || die "lmp build failed for evgen: the wasm benchmark needs the package"
dir=$BENCH_DIR/evgen
native_cc "$dir/consumer_native" "$BENCH_SRC/native/consumer_native.c" -I"$dir" -I"$BENCH_SRC/programs/evgen"

# The guest: evgen's sources and app.c, the package lmp built, then gen-wasm-skel and
# build-wasm, in a directory of its own (the native skeleton is also named evgen.skel.h).
wdir=$BENCH_DIR/evgen-wasm
rm -rf "$wdir" && mkdir -p "$wdir"
cp "$BENCH_SRC/programs/evgen/"* "$dir/package.json" "$wdir/"
"$LMP" gen-wasm-skel "$wdir" >"$wdir/build.log" 2>&1 && "$LMP" build-wasm "$wdir" >>"$wdir/build.log" 2>&1 ||
  die "building evgen's app.wasm failed: $(tail -n2 "$wdir/build.log")"
log "evgen: app.wasm from bench/programs/evgen/app.c ($(stat -c %s "$wdir/app.wasm") bytes)"

machine_info

# --- (a) load-to-attached ---
startup_pair() {  # startup_pair NAME APP_WASM PACKAGE_JSON
  local name=$1 wasm=$2 pkg=$3 data=$BENCH_DIR/data/wasm-startup-$1.txt
  local cmds=("$LMP" run --duration 0 "$wasm" ::: "$LMP" run --duration 0 "$pkg")
  "$BENCH_DIR/measure" -n 3 -- "${cmds[@]}" >/dev/null || true
  "$BENCH_DIR/measure" -n "$RUNS" -- "${cmds[@]}" >"$data" || true
  local w p wk pk failed
  w=$(awk '$1==0 && $5==0 {print $3/1000}' "$data" | median)
  p=$(awk '$1==1 && $5==0 {print $3/1000}' "$data" | median)
  wk=$(awk '$1==0 && $5==0 {print $4}' "$data" | median)
  pk=$(awk '$1==1 && $5==0 {print $4}' "$data" | median)
  failed=$(awk '$5!=0' "$data" | wc -l)
  printf 'load-to-attached %-9s runs=%d  app.wasm %s ms  package.json %s ms  ratio %sx  (+%s ms)%s\n' \
    "$name" "$RUNS" "$w" "$p" "$(ratio "$w" "$p")" "$(awk -v a="$w" -v b="$p" 'BEGIN {printf "%.1f", a - b}')" \
    "$([[ $failed == 0 ]] || echo " ($failed failed runs left out)")"
  printf '  peak RSS: app.wasm %s KB  package.json %s KB\n' "$wk" "$pk"
}
startup_pair evgen "$wdir/app.wasm" "$dir/package.json"
catalog_pkgs=$(dirname "$LMP")/catalog-packages/bootstrap
if [[ -f $catalog_pkgs/app.wasm && -f $catalog_pkgs/package.json ]]; then
  startup_pair bootstrap "$catalog_pkgs/app.wasm" "$catalog_pkgs/package.json"
else
  log "bootstrap: no $catalog_pkgs/app.wasm (build the catalog target): skipped"
fi

# --- (b) throughput ---
[[ $(stat -f -c %T "$TMPFS") == tmpfs ]] || log "warning: $TMPFS is not tmpfs; output cost includes a disk file system"
out=$TMPFS/lmp-bench-wasm.out
results=$BENCH_DIR/data/wasm-throughput.txt
: >"$results"
log "columns: config ok events/s produced/s written produced lost% wall_ms bytes maxrss_kb cpu_us/event"
for ((r = 1; r <= ROUNDS; r++)); do
  run_one native-table "$dir/consumer_native" -d "$DURATION" -p @PID@
  run_one lmp-table "$LMP" run --duration "$DURATION" "$dir/package.json" --pid @PID@
  run_one wasm-table "$LMP" run "$wdir/app.wasm" --pid @PID@ -d "$DURATION"
  run_one wasm-hand "$LMP" run "$wdir/app.wasm" --pid @PID@ -d "$DURATION" -f
done
med() { awk -v c="$1" -v k="$2" '$1==c && $2=="ok" {print $k}' "$results" | median; }
nat=$(med native-table 3) pkg=$(med lmp-table 3) wasm=$(med wasm-table 3) hand=$(med wasm-hand 3)
printf 'throughput table, median of %d x %ss: native %s ev/s  lmp package %s ev/s  lmp app.wasm %s ev/s\n' \
  "$ROUNDS" "$DURATION" "$nat" "$pkg" "$wasm"
printf '  app.wasm/native %sx  app.wasm/package %sx  package/native %sx\n' "$(ratio "$wasm" "$nat")" \
  "$(ratio "$wasm" "$pkg")" "$(ratio "$pkg" "$nat")"
printf '  app.wasm -f (rows formatted without printf, same bytes): %s ev/s, %sx native, %sx app.wasm with printf\n' \
  "$hand" "$(ratio "$hand" "$nat")" "$(ratio "$hand" "$wasm")"
printf '  consumer CPU per written event: native %s us  package %s us  app.wasm %s us  app.wasm -f %s us\n' \
  "$(med native-table 11)" "$(med lmp-table 11)" "$(med wasm-table 11)" "$(med wasm-hand 11)"
printf '  delivered (written/produced): native %s%%  package %s%%  app.wasm %s%%\n' \
  "$(awk '$1=="native-table" && $2=="ok" {print 100 - $7}' "$results" | median)" \
  "$(awk '$1=="lmp-table" && $2=="ok" {print 100 - $7}' "$results" | median)" \
  "$(awk '$1=="wasm-table" && $2=="ok" {print 100 - $7}' "$results" | median)"

# --- (c) instructions per event (callgrind) ---
# callgrind_ir FILE -> total instructions (Ir) of the run
callgrind_ir() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
cg_run() {  # cg_run LABEL loaded|idle CMD...   (@PID@: the producer, or an idle process)
  local label=$1 mode=$2
  shift 2
  local cg=$BENCH_DIR/data/callgrind-$label-$mode.out
  local vg=(valgrind --tool=callgrind --callgrind-out-file="$cg")
  if [[ $mode == loaded ]]; then
    under_load "$CG_SECONDS" "$out" "${vg[@]}" "$@" >/dev/null
  else
    sleep 60 &
    local idle=$!
    local cmd=("${@//@PID@/$idle}")
    taskset -c 1 "${vg[@]}" "${cmd[@]}" >"$out" 2>"$BENCH_DIR/consumer.err" || true
    kill "$idle" 2>/dev/null || true
    wait "$idle" 2>/dev/null || true
  fi
  local n
  read -r n _ <<<"$(analyze "$out")"
  rm -f "$out"
  echo "$label $mode $(callgrind_ir "$cg") $n" >>"$BENCH_DIR/data/wasm-callgrind.txt"
  tail -n1 "$BENCH_DIR/data/wasm-callgrind.txt" >&2
}
: >"$BENCH_DIR/data/wasm-callgrind.txt"
for mode in idle loaded; do
  cg_run native "$mode" "$dir/consumer_native" -d "$CG_SECONDS" -p @PID@
  cg_run package "$mode" "$LMP" run --duration "$CG_SECONDS" "$dir/package.json" --pid @PID@
  cg_run wasm "$mode" "$LMP" run "$wdir/app.wasm" --pid @PID@ -d "$CG_SECONDS"
  [[ $mode == idle ]] || cg_run wasm-hand "$mode" "$LMP" run "$wdir/app.wasm" --pid @PID@ -d "$CG_SECONDS" -f
done
awk '
  $2 == "idle" { idle[$1] = $3 }
  $2 == "loaded" { ir[$1] = $3; n[$1] = $4 }
  END {
    idle["wasm-hand"] = idle["wasm"]  # same module and start-up; -f only changes the callback
    for (c in ir) per[c] = (n[c] > 0 ? (ir[c] - idle[c]) / n[c] : 0)
    printf "instructions per event (callgrind, %s s loaded minus idle): native %.0f  package %.0f  app.wasm %.0f  app.wasm -f %.0f\n", S, per["native"], per["package"], per["wasm"], per["wasm-hand"]
    printf "  app.wasm/native %.0fx  app.wasm/package %.0fx  app.wasm -f/native %.0fx;  events written under callgrind: native %d  package %d  app.wasm %d  app.wasm -f %d\n", (per["native"] ? per["wasm"] / per["native"] : 0), (per["package"] ? per["wasm"] / per["package"] : 0), (per["native"] ? per["wasm-hand"] / per["native"] : 0), n["native"], n["package"], n["wasm"], n["wasm-hand"]
  }' S="$CG_SECONDS" "$BENCH_DIR/data/wasm-callgrind.txt"
# Where a loaded wasm run spends its instructions: wabt's interpreter (dispatch, operand stack,
# calls into the guest) vs everything else (libbpf, ring buffer, host imports, lmp).
if command -v callgrind_annotate >/dev/null; then
  for label in wasm wasm-hand; do
    callgrind_annotate --inclusive=no --auto=no --threshold=100 "$BENCH_DIR/data/callgrind-$label-loaded.out" 2>/dev/null | awk -v l="$label" '
      /PROGRAM TOTALS/ { t = $1; gsub(",", "", t) }
      /wabt::interp::/ { v = $1; gsub(",", "", v); s += v }
      END { if (t > 0) printf "  %s: %.1f%% of the loaded run'"'"'s instructions are in functions of wabt::interp (or templates over its types)\n", l, 100 * s / t }'
  done
fi
