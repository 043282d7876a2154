#!/usr/bin/env bash
# (a) Startup: wall time from exec to exit of `lmp run --duration 0 PACKAGE` (open, load,
# attach every program, then exit) against a native libbpf-skeleton program that does the
# same from the same object.  Runs interleaved, RUNS times (default 30) after 3 warm-ups.
# Prints median wall times and the ratio lmp/native (target <= 1.15).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-30}

bench_prepare
programs=(evgen:"$BENCH_SRC/programs/evgen")
[[ -d $REPO/tests/programs/opentrace ]] && programs+=(opentrace:"$REPO/tests/programs/opentrace")

machine_info
for entry in "${programs[@]}"; do
  name=${entry%%:*} src=${entry#*:}
  bench_package "$name" "$src"
  dir=$BENCH_DIR/$name
  native_cc "$dir/startup_native" "$BENCH_SRC/native/startup_native.c" -I"$dir" \
    -DSKEL_HEADER="\"$name.skel.h\"" -DSKEL_NAME="$name"

  cmds=("$dir/startup_native")
  lmp_note=""
  if have_pkg "$name"; then
    if d=$(lmp_duration "$dir/package.json"); then
      [[ $d == 0 ]] || lmp_note=" (lmp with --duration $d: --duration 0 failed)"
      cmds+=(::: "$LMP" run --duration "$d" "$dir/package.json" ::: "$LMP" --version)
    else
      lmp_note=" (lmp run failed: $(tail -n1 "$BENCH_DIR/probe.err"))"
    fi
  else
    lmp_note=" (no lmp package: lmp build failed)"
  fi

  "$BENCH_DIR/measure" -n 3 -- "${cmds[@]}" >/dev/null || true  # warm-up: page cache, BTF
  "$BENCH_DIR/measure" -n "$RUNS" -- "${cmds[@]}" >"$BENCH_DIR/data/startup-$name.txt" || true
  native_ms=$(awk '$1==0 && $5==0 {print $3/1000}' "$BENCH_DIR/data/startup-$name.txt" | median)
  lmp_ms=$(awk '$1==1 && $5==0 {print $3/1000}' "$BENCH_DIR/data/startup-$name.txt" | median)
  native_kb=$(awk '$1==0 && $5==0 {print $4}' "$BENCH_DIR/data/startup-$name.txt" | median)
  lmp_kb=$(awk '$1==1 && $5==0 {print $4}' "$BENCH_DIR/data/startup-$name.txt" | median)
  ver_ms=$(awk '$1==2 && $5==0 {print $3/1000}' "$BENCH_DIR/data/startup-$name.txt" | median)
  ver_kb=$(awk '$1==2 && $5==0 {print $4}' "$BENCH_DIR/data/startup-$name.txt" | median)
  failed=$(awk '$5!=0' "$BENCH_DIR/data/startup-$name.txt" | wc -l)
  [[ $failed == 0 ]] || lmp_note+=" ($failed failed runs left out)"
  printf 'startup %-10s runs=%d  native %.1f ms  lmp %s ms  ratio %sx (target <= 1.15)%s\n' \
    "$name" "$RUNS" "$native_ms" "$lmp_ms" "$(ratio "$lmp_ms" "$native_ms")" "$lmp_note"
  printf '  peak RSS at startup: native %s KB  lmp %s KB  ratio %sx\n' "$native_kb" "$lmp_kb" \
    "$(ratio "$lmp_kb" "$native_kb")"
  [[ $ver_ms == nan ]] || printf '  lmp --version alone (exec + dynamic linking, no eBPF): %s ms, %s KB\n' "$ver_ms" "$ver_kb"
done
