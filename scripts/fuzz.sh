#!/usr/bin/env bash
# Bounded fuzzing for CI. Builds every fuzz target (src/*/*_fuzz.cpp, cmake/fuzz.cmake) and
# runs each one:
#   - with clang-16 and libFuzzer (Debian's clang-16 + libclang-rt-16-dev): in build-fuzz/,
#     ASan+UBSan, for FUZZ_SECONDS (default 20) each, starting from its seeds;
#   - otherwise: built with the default compiler as corpus replayers in build-fuzz-replay/,
#     each seed run once.
# Seeds: src/<module>/fuzz_seeds/, plus the inputs that once crashed lmp
# (src/loader/fuzz_seeds/: eBPF objects for object_fuzz, packages for package_fuzz,
# WebAssembly modules and inputs runtime_fuzz found for runtime_fuzz). A crash fails the
# script; libFuzzer keeps the input in build-fuzz/artifacts/ (add it to the seeds). Prints
# the inputs run per target. JOBS targets run at a time (default: the number of CPUs).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-$(nproc)}

# The seed files of a target, one per line.
seeds_of() {
  local module=$1 name=$2
  case $name in
    object_fuzz | object_evidence_fuzz)
      [[ -d src/loader/fuzz_seeds/object ]] && find src/loader/fuzz_seeds/object -type f
      ;;
    package_fuzz)
      find src/package/fuzz_seeds -type f
      find src/loader/fuzz_seeds/repro -name '*.json'
      ;;
    runtime_fuzz)
      find src/wasm/fuzz_seeds -type f
      find src/loader/fuzz_seeds/repro -name '*.wasm'
      find src/loader/fuzz_seeds/runtime_fuzz -type f
      ;;
    *) [[ -d src/$module/fuzz_seeds ]] && find "src/$module/fuzz_seeds" -type f ;;
  esac
  return 0
}

has_libfuzzer() {
  command -v clang++-16 >/dev/null || return 1
  local probe
  probe=$(mktemp -d)
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
    >"$probe/p.cpp"
  clang++-16 -fsanitize=fuzzer "$probe/p.cpp" -o "$probe/p" 2>/dev/null
  local ok=$?
  rm -rf "$probe"
  return $ok
}

targets=()
for src in src/*/*_fuzz.cpp; do targets+=("$(basename "$(dirname "$src")"):$(basename "$src" .cpp)"); done

status=0
echo "== fuzzing (scripts/fuzz.sh, ${FUZZ_SECONDS} s per target)"
if has_libfuzzer; then
  dir=build-fuzz
  if [[ ! -f $dir/build.ninja ]]; then
    # -O1 with line tables only: half the compile time of RelWithDebInfo, stacks still symbolized.
    cmake -S . -B "$dir" -G Ninja -DLMP_FUZZ=ON -DCMAKE_BUILD_TYPE=None \
      -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
      -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 >/dev/null
  fi
  cmake --build "$dir" --target "${targets[@]#*:}" -- -j"$JOBS"
  mkdir -p "$dir/artifacts"
  # One target per CPU at a time; each runs FUZZ_SECONDS from its corpus (seeds copied in).
  run_target() {
    local module=$1 name=$2 corpus=$dir/corpus/$2
    mkdir -p "$corpus"
    seeds_of "$module" "$name" | while read -r seed; do cp -f "$seed" "$corpus/"; done
    "$dir/$name" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" "$corpus" \
      >"$dir/$name.log" 2>&1
  }
  pids=()
  for entry in "${targets[@]}"; do
    run_target "${entry%%:*}" "${entry#*:}" &
    pids+=($!)
    if ((${#pids[@]} >= JOBS)); then
      wait "${pids[0]}" || true
      pids=("${pids[@]:1}")
    fi
  done
  wait || true
  for entry in "${targets[@]}"; do
    name=${entry#*:} log=$dir/${entry#*:}.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -n1 || true)
    if [[ -z $runs ]] ||
      grep -qE '^(==[0-9]+== ?ERROR|SUMMARY: |.*_fuzz: )|Test unit written|deadly signal' "$log"; then
      status=1
      printf 'fuzz %-20s FAILED after %s inputs:\n' "$name" "${runs:-?}"
      grep -E 'ERROR|SUMMARY|_fuzz:|Test unit written|deadly signal' "$log" | head -n 20 ||
        tail -n 20 "$log"
    else
      printf 'fuzz %-20s ok: %s inputs in %s s, corpus %s files\n' "$name" "${runs:-?}" \
        "$FUZZ_SECONDS" "$(find "$dir/corpus/$name" -type f | wc -l)"
    fi
  done
else
  dir=build-fuzz-replay
  echo "fuzz: clang-16 with libFuzzer not found; replaying the seeds with $(c++ --version | head -n1)"
  if [[ ! -f $dir/build.ninja ]]; then
    cmake -S . -B "$dir" -G Ninja -DLMP_FUZZ_REPLAY=ON -DCMAKE_BUILD_TYPE=Debug \
      -DLMP_SANITIZE=ON >/dev/null
  fi
  cmake --build "$dir" --target "${targets[@]#*:}" -- -j"$JOBS"
  for entry in "${targets[@]}"; do
    module=${entry%%:*} name=${entry#*:}
    mapfile -t seeds < <(seeds_of "$module" "$name")
    if out=$("$dir/$name" "${seeds[@]}" 2>&1); then
      printf 'fuzz %-20s ok: %s\n' "$name" "$(tail -n1 <<<"$out")"
    else
      printf 'fuzz %-20s FAILED\n%s\n' "$name" "$(tail -n 20 <<<"$out")"
      status=1
    fi
  done
fi
exit $status
