#!/usr/bin/env bash
# (c) Peak resident memory (ru_maxrss of the reaped child, what /usr/bin/time -f %M shows)
# of `lmp run` against the native libbpf-skeleton programs built from the same object:
#   startup:   `lmp run --duration 0 PKG` vs bench/native/startup_native (RUNS, default 10)
#   sustained: `lmp run [--json] --duration 3 PKG --pid N` under bench/loadgen vs
#              bench/native/consumer_native [-j] (ROUNDS, default 3)
# Prints medians and ratios lmp/native (target <= 1.3).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-3}
SECONDS_UNDER_LOAD=${SECONDS_UNDER_LOAD:-3}
TMPFS=${BENCH_TMPFS:-/dev/shm}

bench_prepare
programs=(evgen:"$BENCH_SRC/programs/evgen")
[[ -d $REPO/tests/programs/opentrace ]] && programs+=(opentrace:"$REPO/tests/programs/opentrace")
lines=()
for entry in "${programs[@]}"; do
  name=${entry%%:*} src=${entry#*:}
  bench_package "$name" "$src"
  dir=$BENCH_DIR/$name
  native_cc "$dir/startup_native" "$BENCH_SRC/native/startup_native.c" -I"$dir" \
    -DSKEL_HEADER="\"$name.skel.h\"" -DSKEL_NAME="$name"
  cmds=("$dir/startup_native")
  note=""
  if have_pkg "$name" && d=$(lmp_duration "$dir/package.json"); then
    [[ $d == 0 ]] || note=" (lmp with --duration $d)"
    cmds+=(::: "$LMP" run --duration "$d" "$dir/package.json")
  else
    note=" (no lmp figure: lmp build/run failed)"
  fi
  "$BENCH_DIR/measure" -n "$RUNS" -- "${cmds[@]}" >"$BENCH_DIR/data/rss-startup-$name.txt" || true
  nat=$(awk '$1==0 && $5==0 {print $4}' "$BENCH_DIR/data/rss-startup-$name.txt" | median)
  lmp=$(awk '$1==1 && $5==0 {print $4}' "$BENCH_DIR/data/rss-startup-$name.txt" | median)
  lines+=("$(printf 'rss startup   %-10s native %s KB  lmp %s KB  ratio %sx (target <= 1.3)%s' \
    "$name" "$nat" "$lmp" "$(ratio "$lmp" "$nat")" "$note")")
done

dir=$BENCH_DIR/evgen
native_cc "$dir/consumer_native" "$BENCH_SRC/native/consumer_native.c" -I"$dir" -I"$BENCH_SRC/programs/evgen"
out=$TMPFS/lmp-bench-rss.out
S=$SECONDS_UNDER_LOAD
: >"$BENCH_DIR/data/rss-load.txt"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in native-table native-json lmp-table lmp-json; do
    case $c in
      native-table) m=$(under_load "$S" "$out" "$dir/consumer_native" -d "$S" -p @PID@) ;;
      native-json) m=$(under_load "$S" "$out" "$dir/consumer_native" -j -d "$S" -p @PID@) ;;
      lmp-*) have_pkg evgen || continue
        json=(); [[ $c == lmp-json ]] && json=(--json)
        m=$(under_load "$S" "$out" "$LMP" run "${json[@]}" --duration "$S" "$dir/package.json" --pid @PID@) ;;
    esac
    rm -f "$out"
    echo "$c ${m:-0 0 0 0 1 0}" >>"$BENCH_DIR/data/rss-load.txt"
  done
done
for fmt in table json; do
  nat=$(awk -v c="native-$fmt" '$1==c && $6==0 {print $5}' "$BENCH_DIR/data/rss-load.txt" | median)
  lmp=$(awk -v c="lmp-$fmt" '$1==c && $6==0 {print $5}' "$BENCH_DIR/data/rss-load.txt" | median)
  lines+=("$(printf 'rss sustained evgen %-5s native %s KB  lmp %s KB  ratio %sx (target <= 1.3; %ss under load)' \
    "$fmt" "$nat" "$lmp" "$(ratio "$lmp" "$nat")" "$S")")
done
machine_info
printf '%s\n' "${lines[@]}"
