#!/usr/bin/env bash
# Sets everything up, builds the bundled example tracer and runs it for 10 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
./build/lmp build examples/execsnoop -o build/examples/execsnoop
echo "== running execsnoop for 10 s (start some programs in another terminal)" >&2
exec ./build/lmp run --duration 10 build/examples/execsnoop/package.json "$@"
