#!/bin/sh
# Builds an optimised tree and prints the figures of every benchmark. The application's
# benchmark needs a display: without one (CI, ssh) the benchmarks run under Xvfb with a session
# bus, as the tests do.
set -eu
cd "$(dirname "$0")/.."
# The figures print arrows and Chinese names.
export LC_ALL="${LC_ALL:-C.UTF-8}"
sh tools/install-deps.sh
build=${BENCH_BUILD_DIR:-_build-bench}
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" --buildtype=release -Dapp=true >/dev/null
else
  meson setup "$build" --buildtype=release
fi
ninja -C "$build"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  meson test -C "$build" --benchmark --verbose --num-processes 1 "$@"
else
  xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    meson test -C "$build" --benchmark --verbose --num-processes 1 "$@"
fi
