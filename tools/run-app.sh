#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Credit Packet and launches it from the build tree,
# on the embedded default: the local store in the user's data folder.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tools/install-deps.sh

build=${BUILD_DIR:-_build}
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build"
fi
ninja -C "$build"

export GSETTINGS_SCHEMA_DIR="$top/$build/data"
export CP_LOCALEDIR="$top/$build/po"

if [ -x "$build/src/app/credit-packet" ]; then
  exec "$build/src/app/credit-packet" "$@"
fi

# Without the window (a build with -Dapp=false), show what the core does.
exec "$build/src/tool/credit-packet-tool" demo "$@"
