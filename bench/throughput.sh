#!/usr/bin/env bash
# (b) Sustained ring-buffer throughput: events/s that a consumer decodes and writes out.
# Producer: bench/loadgen (getppid() in a tight loop, pinned to CPU 0) + the evgen program
# (one ring-buffer record per call of that pid).  Consumers, pinned to CPU 1, each for
# DURATION seconds (default 5), ROUNDS times (default 3) interleaved:
#   native table, lmp table (`lmp run --duration D PKG --pid N`),
#   native json,  lmp json  (`lmp run --json --duration D PKG --pid N`).
# Output goes to a file on tmpfs; afterwards the event lines are counted.  Rate = events
# written / (kernel timestamp of the last written event - that of the first), so start-up
# and shut-down time do not count; the `seq` field tells how many were produced meanwhile
# (produced - written = dropped because the ring was full).  Ratios lmp/native, target >= 0.8.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
TMPFS=${BENCH_TMPFS:-/dev/shm}

bench_prepare
[[ $(stat -f -c %T "$TMPFS") == tmpfs ]] || log "warning: $TMPFS is not tmpfs; output cost includes a disk file system"
[[ $(nproc) -ge 2 ]] || log "warning: 1 CPU: producer and consumer share it"
bench_package evgen "$BENCH_SRC/programs/evgen"
dir=$BENCH_DIR/evgen
native_cc "$dir/consumer_native" "$BENCH_SRC/native/consumer_native.c" -I"$dir" -I"$BENCH_SRC/programs/evgen"
out=$TMPFS/lmp-bench-throughput.out
results=$BENCH_DIR/data/throughput.txt
: >"$results"

configs=(native-table native-json)
have_pkg evgen && configs+=(lmp-table lmp-json)
log "columns: config ok events/s produced/s written produced lost% wall_ms bytes maxrss_kb cpu_us/event"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${configs[@]}"; do
    case $c in
      native-table) run_one "$c" "$dir/consumer_native" -d "$DURATION" -p @PID@ ;;
      native-json) run_one "$c" "$dir/consumer_native" -j -d "$DURATION" -p @PID@ ;;
      lmp-table) run_one "$c" "$LMP" run --duration "$DURATION" "$dir/package.json" --pid @PID@ ;;
      lmp-json) run_one "$c" "$LMP" run --json --duration "$DURATION" "$dir/package.json" --pid @PID@ ;;
    esac
  done
done

med() { awk -v c="$1" -v k="$2" '$1==c && $2=="ok" {print $k}' "$results" | median; }
machine_info
for fmt in table json; do
  nat=$(med "native-$fmt" 3) lmp=$(med "lmp-$fmt" 3)
  printf 'throughput %-5s native %s ev/s (lost %s%%)  lmp %s ev/s (lost %s%%)  ratio %sx (target >= 0.8)\n' \
    "$fmt" "$nat" "$(med "native-$fmt" 7)" "$lmp" "$(med "lmp-$fmt" 7)" "$(ratio "$lmp" "$nat")"
done
# The producer's rate swings with machine load from round to round; two views that cancel
# most of it: the median of the per-round ratios (lmp and native ran seconds apart), and
# the share of produced records each consumer wrote (100 - lost%).
for fmt in table json; do
  per_round=$(awk -v n="native-$fmt" -v l="lmp-$fmt" '
    $1==n {nr++; nv[nr]=($2=="ok" ? $3 : "")} $1==l {lr++; lv[lr]=($2=="ok" ? $3 : "")}
    END {for (i = 1; i <= lr; i++) if (nv[i] > 0 && lv[i] > 0) print lv[i] / nv[i]}' "$results" | median)
  printf 'per-round  %-5s median of lmp/native ratios %s  delivered: native %s%%  lmp %s%%\n' "$fmt" \
    "$(awk -v r="$per_round" 'BEGIN {if (r == "nan") print "n/a"; else printf "%.2fx", r}')" \
    "$(awk -v c="native-$fmt" '$1==c && $2=="ok" {print 100 - $7}' "$results" | median)" \
    "$(awk -v c="lmp-$fmt" '$1==c && $2=="ok" {print 100 - $7}' "$results" | median)"
done
for fmt in table json; do
  nat=$(med "native-$fmt" 11) lmp=$(med "lmp-$fmt" 11)
  printf 'cpu/event  %-5s native %s us  lmp %s us  ratio %sx  (consumer user+sys CPU per written event)\n' \
    "$fmt" "$nat" "$lmp" "$(ratio "$lmp" "$nat")"
done
printf '  (median of %d rounds of %ss; producer rate while native/lmp table ran: %s / %s ev/s)\n' \
  "$ROUNDS" "$DURATION" "$(med native-table 4)" "$(med lmp-table 4)"
