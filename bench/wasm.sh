#!/usr/bin/env bash
# WebAssembly user space: what running a tool's app.wasm costs on lmp's two engines (native
# code compiled once with wasm2c and cc, and wabt's interpreter), side by side, against the
# same eBPF object run as a package (lmp's own C++ output) and a native libbpf program.
#   (0) one-off compile time of evgen's, bootstrap's and runqlat's app.wasm (a fresh cache,
#       the median of COMPILES runs, default 3): lmp's own "compiling ... N s" line.
#   (a) load-to-attached: `lmp run --duration 0 app.wasm`, compiled (cached) and interpreted,
#       vs `lmp run --duration 0 package.json` (the module is stopped at its first wait, i.e.
#       once it loaded and attached), interleaved RUNS times (default 20): evgen, and the
#       catalog's bootstrap when the lmp build beside $LMP has it (catalog-packages/).
#   (b) sustained events/s through a guest callback that formats and prints every event:
#       bench/programs/evgen/app.c vs native/consumer_native (table) vs `lmp run PKG` (table),
#       run as throughput.sh runs its consumers (DURATION, ROUNDS).
#   (c) instructions per event, counted by valgrind's callgrind (no hardware counters needed):
#       each consumer once with loadgen flooding it and once with no events, both CG_SECONDS
#       (default 8) after attaching; (Ir_loaded - Ir_idle) / events written.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
COMPILES=${COMPILES:-3}
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
# The compiled engine's cache: one of the benchmark's own, so (0) starts from nothing.
export LMP_HOME=$BENCH_DIR/home
mkdir -p "$LMP_HOME" && chmod 700 "$LMP_HOME"
COMPILED=(--wasm-engine=compiled)
INTERP=(--wasm-engine=interp)
catalog_pkgs=$(dirname "$LMP")/catalog-packages

# --- (0) one-off compile time ---
compile_time() {  # compile_time NAME APP_WASM
  local name=$1 wasm=$2 i t times=()
  for ((i = 0; i < COMPILES; i++)); do
    rm -rf "$LMP_HOME/wasm-cache"
    t=$("$LMP" run -v "${COMPILED[@]}" --duration 0 "$wasm" 2>&1 >/dev/null |
      sed -n 's/^compiling .* to native code, once\.\.\. \([0-9.]*\) s$/\1/p')
    [[ -n $t ]] && times+=("$t")
  done
  printf 'compile %-9s %s bytes of wasm: median %s s over %d compiles (%s)\n' "$name" \
    "$(stat -c %s "$wasm")" "$(printf '%s\n' "${times[@]}" | median)" "${#times[@]}" "${times[*]}"
}
compile_time evgen "$wdir/app.wasm"
for tool in bootstrap runqlat; do
  if [[ -f $catalog_pkgs/$tool/app.wasm ]]; then
    compile_time "$tool" "$catalog_pkgs/$tool/app.wasm"
  else
    log "$tool: no $catalog_pkgs/$tool/app.wasm (build the catalog target): skipped"
  fi
done
# Every module below runs from the cache.
for m in "$wdir/app.wasm" "$catalog_pkgs"/{bootstrap,runqlat}/app.wasm; do
  if [[ -f $m ]]; then "$LMP" run "${COMPILED[@]}" --duration 0 "$m" >/dev/null 2>&1 || true; fi
done

# --- (a) load-to-attached ---
startup_pair() {  # startup_pair NAME APP_WASM PACKAGE_JSON
  local name=$1 wasm=$2 pkg=$3 data=$BENCH_DIR/data/wasm-startup-$1.txt
  local cmds=("$LMP" run "${COMPILED[@]}" --duration 0 "$wasm" ::: "$LMP" run --duration 0 "$pkg"
    ::: "$LMP" run "${INTERP[@]}" --duration 0 "$wasm")
  "$BENCH_DIR/measure" -n 3 -- "${cmds[@]}" >/dev/null || true
  "$BENCH_DIR/measure" -n "$RUNS" -- "${cmds[@]}" >"$data" || true
  local c p i ck pk ik failed
  c=$(awk '$1==0 && $5==0 {print $3/1000}' "$data" | median)
  p=$(awk '$1==1 && $5==0 {print $3/1000}' "$data" | median)
  i=$(awk '$1==2 && $5==0 {print $3/1000}' "$data" | median)
  ck=$(awk '$1==0 && $5==0 {print $4}' "$data" | median)
  pk=$(awk '$1==1 && $5==0 {print $4}' "$data" | median)
  ik=$(awk '$1==2 && $5==0 {print $4}' "$data" | median)
  failed=$(awk '$5!=0' "$data" | wc -l)
  printf 'load-to-attached %-9s runs=%d  package.json %s ms  app.wasm compiled (cached) %s ms (%sx)  interpreted %s ms (%sx)%s\n' \
    "$name" "$RUNS" "$p" "$c" "$(ratio "$c" "$p")" "$i" "$(ratio "$i" "$p")" \
    "$([[ $failed == 0 ]] || echo " ($failed failed runs left out)")"
  printf '  peak RSS: package.json %s KB  app.wasm compiled %s KB  interpreted %s KB\n' "$pk" "$ck" "$ik"
}
startup_pair evgen "$wdir/app.wasm" "$dir/package.json"
if [[ -f $catalog_pkgs/bootstrap/app.wasm && -f $catalog_pkgs/bootstrap/package.json ]]; then
  startup_pair bootstrap "$catalog_pkgs/bootstrap/app.wasm" "$catalog_pkgs/bootstrap/package.json"
else
  log "bootstrap: no $catalog_pkgs/bootstrap/app.wasm (build the catalog target): skipped"
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
  run_one compiled-table "$LMP" run "${COMPILED[@]}" "$wdir/app.wasm" --pid @PID@ -d "$DURATION"
  run_one compiled-hand "$LMP" run "${COMPILED[@]}" "$wdir/app.wasm" --pid @PID@ -d "$DURATION" -f
  run_one wasm-table "$LMP" run "${INTERP[@]}" "$wdir/app.wasm" --pid @PID@ -d "$DURATION"
  run_one wasm-hand "$LMP" run "${INTERP[@]}" "$wdir/app.wasm" --pid @PID@ -d "$DURATION" -f
done
med() { awk -v c="$1" -v k="$2" '$1==c && $2=="ok" {print $k}' "$results" | median; }
nat=$(med native-table 3) pkg=$(med lmp-table 3) wasm=$(med wasm-table 3) hand=$(med wasm-hand 3)
comp=$(med compiled-table 3) chand=$(med compiled-hand 3)
printf 'throughput table, median of %d x %ss: native %s ev/s  lmp package %s ev/s  app.wasm compiled %s ev/s  interpreted %s ev/s\n' \
  "$ROUNDS" "$DURATION" "$nat" "$pkg" "$comp" "$wasm"
printf '  compiled/native %sx (target >= 0.5x)  compiled/package %sx  interpreted/native %sx  package/native %sx\n' \
  "$(ratio "$comp" "$nat")" "$(ratio "$comp" "$pkg")" "$(ratio "$wasm" "$nat")" "$(ratio "$pkg" "$nat")"
printf '  -f (rows formatted without printf, same bytes): compiled %s ev/s (%sx native)  interpreted %s ev/s (%sx native)\n' \
  "$chand" "$(ratio "$chand" "$nat")" "$hand" "$(ratio "$hand" "$nat")"
printf '  consumer CPU per written event: native %s us  package %s us  compiled %s us  compiled -f %s us  interpreted %s us  interpreted -f %s us\n' \
  "$(med native-table 11)" "$(med lmp-table 11)" "$(med compiled-table 11)" "$(med compiled-hand 11)" \
  "$(med wasm-table 11)" "$(med wasm-hand 11)"
printf '  delivered (written/produced): native %s%%  package %s%%  compiled %s%%  interpreted %s%%\n' \
  "$(awk '$1=="native-table" && $2=="ok" {print 100 - $7}' "$results" | median)" \
  "$(awk '$1=="lmp-table" && $2=="ok" {print 100 - $7}' "$results" | median)" \
  "$(awk '$1=="compiled-table" && $2=="ok" {print 100 - $7}' "$results" | median)" \
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
  cg_run compiled "$mode" "$LMP" run "${COMPILED[@]}" "$wdir/app.wasm" --pid @PID@ -d "$CG_SECONDS"
  cg_run wasm "$mode" "$LMP" run "${INTERP[@]}" "$wdir/app.wasm" --pid @PID@ -d "$CG_SECONDS"
  [[ $mode == idle ]] || cg_run wasm-hand "$mode" "$LMP" run "${INTERP[@]}" "$wdir/app.wasm" --pid @PID@ -d "$CG_SECONDS" -f
done
awk '
  $2 == "idle" { idle[$1] = $3 }
  $2 == "loaded" { ir[$1] = $3; n[$1] = $4 }
  END {
    idle["wasm-hand"] = idle["wasm"]  # same module and start-up; -f only changes the callback
    for (c in ir) per[c] = (n[c] > 0 ? (ir[c] - idle[c]) / n[c] : 0)
    printf "instructions per event (callgrind, %s s loaded minus idle): native %.0f  package %.0f  app.wasm compiled %.0f  interpreted %.0f  interpreted -f %.0f\n", S, per["native"], per["package"], per["compiled"], per["wasm"], per["wasm-hand"]
    printf "  compiled/native %.2fx (target <= 3x)  interpreted/native %.0fx  interpreted/package %.0fx  interpreted -f/native %.0fx\n", (per["native"] ? per["compiled"] / per["native"] : 0), (per["native"] ? per["wasm"] / per["native"] : 0), (per["package"] ? per["wasm"] / per["package"] : 0), (per["native"] ? per["wasm-hand"] / per["native"] : 0)
    printf "  events written under callgrind: native %d  package %d  compiled %d  interpreted %d  interpreted -f %d\n", n["native"], n["package"], n["compiled"], n["wasm"], n["wasm-hand"]
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
