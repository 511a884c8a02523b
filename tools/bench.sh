#!/bin/sh
# Builds an optimised tree and prints the figures of every benchmark.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
build=${BENCH_BUILD_DIR:-_build-bench}
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" --buildtype=release -Dapp=true >/dev/null
else
  meson setup "$build" --buildtype=release
fi
ninja -C "$build"
meson test -C "$build" --benchmark --verbose --num-processes 1
