#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Credit Packet and launches it from the build tree,
# on the embedded default: the local store in the user's data folder, and a local server on
# loopback when the user has configured none.
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

app="$build/src/app/credit-packet"
server="$build/src/server/credit-packet-server"

# A local server when the user has none: no --server/CP_SERVER_URL and no server address saved
# in the settings. It listens on loopback only, keeps its data beside the user's other data, and
# gets one administrator account whose password is written, readable only by the user, next to
# it on first start.
if [ -x "$app" ] && [ -x "$server" ] && [ -z "${CP_SERVER_URL:-}" ]; then
  configured=$(gsettings get io.github.creditpacket.CreditPacket server-url 2>/dev/null || echo "''")
  if [ "$configured" = "''" ]; then
    data="${XDG_DATA_HOME:-$HOME/.local/share}/credit-packet-server"
    mkdir -p "$data"
    if [ ! -f "$data/local-login.txt" ]; then
      password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
      printf '%s\n' "$password" | "$server" --data-dir "$data" user add local --role admin >/dev/null
      (umask 077; printf 'user: local\npassword: %s\n' "$password" >"$data/local-login.txt")
    fi
    log="$data/server.log"
    "$server" --data-dir "$data" --listen 127.0.0.1:0 >"$data/listen.txt" 2>>"$log" &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT INT TERM
    for _ in $(seq 50); do
      url=$(sed -n 's|^listening on \(http://[^ ]*\)/\{0,1\}$|\1|p' "$data/listen.txt" | head -n 1)
      [ -n "$url" ] && break
      sleep 0.1
    done
    if [ -n "${url:-}" ]; then
      export CP_SERVER_URL="$url"
      echo "Local server at $url (log in as shown in $data/local-login.txt)"
    else
      echo "The local server did not start; see $log. The application works offline." >&2
    fi
  fi
fi

if [ -x "$app" ]; then
  "$app" "$@"
  exit $?
fi

# Without the window (a build with -Dapp=false), show what the core does.
exec "$build/src/tool/credit-packet-tool" demo "$@"
