#!/usr/bin/env bash
# Sets everything up and runs every test: unit, integration (real kernel, real HTTP
# servers, real OCI registry, real lmp-hub) and browser tests (headless Chromium against
# the hub's web store) in a normal build, and the unit tests and the WebAssembly integration tests again under
# AddressSanitizer + UBSan.
# Integration tests load real eBPF programs and need root; with LMP_REQUIRE_BPF=1
# a test that cannot load eBPF fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's own builds treat warnings as errors (LMP_WERROR; off in a user's build).
LMP_SETUP_TESTS=1 scripts/setup.sh build -DLMP_WERROR=ON
# The sanitizer build: the unit tests, and lmp with the integration binary for the
# WebAssembly and hub suites (guest-controlled pointers and lengths cross into the host
# there). It compiles, at a lower priority, while the normal build's tests run: those mostly
# wait on the kernel and on servers (its log: build-asan/test-build.log).
if ! grep -qs '^LMP_WERROR:BOOL=ON' build-asan/CMakeCache.txt; then
  cmake -S . -B build-asan -G Ninja -DLMP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    -DLMP_WERROR=ON >/dev/null
fi
nice -n 10 cmake --build build-asan --target lmp_unit_tests lmp lmp-hub lmp_integration_tests \
  -- -j"$(nproc)" >build-asan/test-build.log 2>&1 &
asan_build=$!
status=0
echo "== tests (build/)"
ctest --test-dir build --output-on-failure -j2 --timeout 1200 || status=1
echo "== sanitizer build (build-asan/)"
if ! wait "$asan_build"; then
  tail -n 40 build-asan/test-build.log
  echo "the sanitizer build failed (build-asan/test-build.log)"
  exit 1
fi
echo "== unit tests under ASan+UBSan (build-asan/)"
# One process per CPU, each running its shard of the tests (GoogleTest sharding): a process
# per test, as ctest runs them, spends more time starting the sanitized binary than testing.
shards=$(nproc)
pids=()
for ((i = 0; i < shards; i++)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i timeout 900 build-asan/lmp_unit_tests \
    --gtest_brief=1 >"build-asan/unit-shard-$i.log" 2>&1 &
  pids+=($!)
done
for ((i = 0; i < shards; i++)); do
  if wait "${pids[$i]}"; then
    tail -n 1 "build-asan/unit-shard-$i.log"
  else
    status=1
    echo "unit test shard $i of $shards failed (build-asan/unit-shard-$i.log):"
    tail -n 60 "build-asan/unit-shard-$i.log"
  fi
done
echo "== WebAssembly integration tests under ASan+UBSan (build-asan/)"
ctest --test-dir build-asan --output-on-failure --timeout 600 -L wasm || status=1
echo "== hub integration tests under ASan+UBSan (build-asan/)"
ctest --test-dir build-asan --output-on-failure --timeout 600 -L hub || status=1
# Bounded fuzzing of every fuzz target, 10 s each here (FUZZ_SECONDS; scripts/fuzz.sh alone: 20).
FUZZ_SECONDS=${FUZZ_SECONDS:-10} scripts/fuzz.sh || status=1
exit $status
