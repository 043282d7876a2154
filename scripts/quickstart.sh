#!/usr/bin/env bash
# Sets everything up and runs lmp's main job offline: the bundled catalog's execsnoop,
# resolved by name, for 10 seconds (pass e.g. --duration 30 or a tool's options after it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
echo "== lmp run execsnoop (bundled catalog) for 10 s: start some programs in another terminal" >&2
exec ./build/lmp run --duration 10 execsnoop "$@"
