# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run).
# Environment: LMP (lmp binary, default build/lmp in the repository),
#              BENCH_DIR (build and scratch directory, default /tmp/lmp-bench).

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/.." && pwd)
LMP=${LMP:-$REPO/build/lmp}
case $LMP in /*) ;; *) LMP=$REPO/$LMP ;; esac
BENCH_DIR=${BENCH_DIR:-/tmp/lmp-bench}
# Arch macro for CO-RE helpers, as lmp build passes it.
case $(uname -m) in
  x86_64) BPF_ARCH=x86 ;; aarch64) BPF_ARCH=arm64 ;; riscv64) BPF_ARCH=riscv ;;
  *) BPF_ARCH=$(uname -m) ;;
esac

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

bench_prepare() {
  [[ $(id -u) == 0 ]] || die "the benchmarks load eBPF programs: run them as root"
  for tool in cc clang bpftool taskset; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install clang bpftool util-linux gcc)"
  done
  [[ -r /sys/kernel/btf/vmlinux ]] || die "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
  if [[ ! -d /sys/kernel/tracing/events ]]; then
    mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs"
  fi
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
    log "warning: load average $load on $(nproc) CPUs: other work competes with the benchmark, figures will be noisy"
  fi
  [[ -x $LMP ]] || die "no lmp binary at $LMP (build it, or set LMP=/path/to/lmp)"
  mkdir -p "$BENCH_DIR/data"
  local cflags=(-O2 -Wall -Wextra)
  cc "${cflags[@]}" -o "$BENCH_DIR/measure" "$BENCH_SRC/tools/measure.c"
  cc "${cflags[@]}" -o "$BENCH_DIR/pkgobj" "$BENCH_SRC/tools/pkgobj.c" -lz
  cc "${cflags[@]}" -o "$BENCH_DIR/loadgen" "$BENCH_SRC/loadgen.c"
}

# bench_package NAME SRC_DIR: builds the lmp package $BENCH_DIR/NAME/package.json with
# `lmp build`, then extracts the very object lmp packaged into $BENCH_DIR/NAME/NAME.bpf.o
# and generates the native skeleton from it.  If `lmp build` fails, the object is compiled
# here with clang (so the native side still measures) and HAVE_PKG_NAME is left empty.
bench_package() {
  local name=$1 src=$2 dir=$BENCH_DIR/$1
  rm -rf "$dir" && mkdir -p "$dir"
  if "$LMP" build "$src" -o "$dir" >"$dir/build.log" 2>&1 && [[ -f $dir/package.json ]]; then
    "$BENCH_DIR/pkgobj" "$dir/package.json" "$dir/$name.bpf.o"
    printf -v "HAVE_PKG_$name" 1
    log "$name: object from lmp build ($dir/package.json)"
  else
    log "$name: lmp build failed ($(tail -n1 "$dir/build.log")); compiling the object with clang, native side only"
    [[ -f $BENCH_DIR/vmlinux.h ]] || bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$BENCH_DIR/vmlinux.h"
    clang -O2 -g -target bpf -D"__TARGET_ARCH_$BPF_ARCH" -I"$BENCH_DIR" -I"$src" \
      -c "$src/$name.bpf.c" -o "$dir/$name.bpf.o"
    printf -v "HAVE_PKG_$name" ''
  fi
  bpftool gen skeleton "$dir/$name.bpf.o" name "$name" >"$dir/$name.skel.h"
}

have_pkg() { local v="HAVE_PKG_$1"; [[ -n ${!v:-} ]]; }

# native_cc OUT SOURCE [cc args...]: a native baseline, linked like a libbpf tool.
native_cc() {
  local out=$1 src=$2
  shift 2
  cc -O2 -Wall -Wextra "$@" -o "$out" "$src" -lbpf -lelf -lz
}

# Median of the numbers on stdin.
median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# ratio A B -> A/B with 2 decimals ("n/a" when either is missing)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a=="" || b=="" || a=="nan" || b=="nan" || b==0) print "n/a"; else printf "%.2f\n", a/b}'; }

machine_info() {
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "lmp: $LMP ($("$LMP" --version 2>/dev/null | head -n1 || echo unknown)), libbpf $(pkg-config --modversion libbpf 2>/dev/null || echo '?'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# under_load SECONDS OUT CMD...: starts bench/loadgen pinned to CPU 0 for SECONDS+5 s, then
# runs CMD (every @PID@ replaced by the loadgen's pid) pinned to CPU 1 with its stdout in
# OUT, and prints measure's line for it: "0 0 WALL_US MAXRSS_KB STATUS CPU_US".
under_load() {
  local seconds=$1 out=$2
  shift 2
  "$BENCH_DIR/loadgen" -d $((${seconds%.*} + 5)) -c 0 2>"$BENCH_DIR/loadgen.err" &
  local lg=$!
  sleep 0.3
  local cmd=("${@//@PID@/$lg}")
  taskset -c 1 "$BENCH_DIR/measure" -n 1 -o "$out" -- "${cmd[@]}" 2>"$BENCH_DIR/consumer.err" || true
  kill "$lg" 2>/dev/null || true
  wait "$lg" 2>/dev/null || true
}

# lmp's smallest working --duration (0 = exit as soon as everything is attached).
lmp_duration() {
  local pkg=$1 d
  for d in 0 0.001 0.01 1; do
    if "$LMP" run --duration "$d" "$pkg" >/dev/null 2>"$BENCH_DIR/probe.err"; then
      echo "$d"
      return
    fi
  done
  return 1
}

# --- throughput runs (throughput.sh, wasm.sh) ---
# Callers set: DURATION (seconds a consumer runs), out (its stdout file, on tmpfs) and
# results (one line per run is appended).

# analyze FILE -> "written first_seq last_seq span_ns"   (table: columns found from the
# header by name, case-insensitively; json: "seq" and "ts" keys)
analyze() {
  awk '
    /^\{/ {
      if (index($0, "lmpbench-load") == 0) next
      if (!match($0, /"seq": *[0-9]+/)) next; s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s)
      if (!match($0, /"ts": *[0-9]+/)) next; t = substr($0, RSTART, RLENGTH); sub(/.*: */, "", t)
      take(s, t); next
    }
    !si { for (i = 1; i <= NF; i++) { f = toupper($i); if (f == "SEQ") si = i; if (f == "TS") ti = i } next }
    index($0, "lmpbench-load") { take($si, $ti) }
    function take(s, t) { n++; if (n == 1) { fs = s; ft = t } ls = s; lt = t }
    END { printf "%d %s %s %s\n", n, (n ? fs : 0), (n ? ls : 0), (n ? lt - ft : 0) }
  ' "$1"
}

run_one() {  # run_one LABEL CMD...   (@PID@ in CMD = the load generator's pid)
  local label=$1
  shift
  local m n fs ls span
  m=$(under_load "$DURATION" "$out" "$@")
  read -r _ _ wall rss status cpu <<<"${m:-0 0 0 0 1 0}"
  if [[ $status != 0 ]]; then
    log "$label: exit $status: $(tail -n2 "$BENCH_DIR/consumer.err")"
    echo "$label fail" >>"$results"
    return
  fi
  read -r n fs ls span <<<"$(analyze "$out")"
  local bytes
  bytes=$(stat -c %s "$out")
  rm -f "$out"
  awk -v l="$label" -v n="$n" -v fs="$fs" -v ls="$ls" -v span="$span" -v w="$wall" -v b="$bytes" \
    -v rss="$rss" -v cpu="$cpu" 'BEGIN {
    produced = (n ? ls - fs + 1 : 0); rate = (span > 0 ? (n - 1) / (span / 1e9) : 0)
    prate = (span > 0 ? (produced - 1) / (span / 1e9) : 0)
    printf "%s ok %.0f %.0f %d %d %.1f %d %d %d %.3f\n", l, rate, prate, n, produced,
      (produced ? 100 * (produced - n) / produced : 0), w / 1000, b, rss, (n ? cpu / n : 0)
  }' >>"$results"
  tail -n1 "$results" >&2
}

