#!/usr/bin/env bash
# Installs the Debian packages lmp needs (only the missing ones; quiet when none are)
# and builds lmp into build/. Usage: scripts/setup.sh [BUILD_DIR [extra cmake args...]]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config clang llvm lld
  libbpf-dev libelf-dev zlib1g-dev bpftool nlohmann-json3-dev libcli11-dev
  libyaml-cpp-dev libgtest-dev libbenchmark-dev libcurl4-openssl-dev
  libsodium-dev libcpp-httplib-dev docker-registry apache2-utils wabt
  wasi-libc libclang-rt-14-dev-wasm32
  libsqlite3-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libseccomp-dev)

# The tests (scripts/test.sh sets LMP_SETUP_TESTS=1) also need Debian's chromium for the
# browser tests, clang-16 with its libFuzzer runtime for the bounded fuzzing, and sys/sdt.h
# for the USDT test, bash-completion for the completion test, Prometheus (a real server
# scrapes lmp run --metrics; promtool checks the exposition and deploy/) and PyYAML for the
# deploy/ manifests' test, git for the git dependency test, strace to see that
# `lmp check --no-load` makes no bpf() call.
if [ "${LMP_SETUP_TESTS:-0}" = 1 ]; then
  packages+=(chromium clang-16 libclang-rt-16-dev systemtap-sdt-dev bash-completion prometheus
    python3-yaml git strace)
fi
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null || {
    $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

# playwright-core for the browser tests, pinned by tests/browser/package-lock.json.
if [ "${LMP_SETUP_TESTS:-0}" = 1 ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "setup: installing playwright-core (npm ci in tests/browser)" >&2
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

build_dir=${1:-build}
shift || true
# Configured once; again when cmake arguments are given (an existing build takes them too).
if [ ! -f "$build_dir/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
fi
cmake --build "$build_dir" -- -j"$(nproc)"
test -x "$build_dir/lmp"
