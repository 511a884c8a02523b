#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Credit Packet and launches it from the build tree,
# on the embedded default: the local store in the user's data folder, and a local server on
# loopback when the user has configured none.
#
# It installs only what building and running need (the test suite's packages come with
# tools/test.sh), and builds only what changed: a configured tree is not configured again, and
# ninja does nothing when everything is built.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tools/install-deps.sh run

build=${BUILD_DIR:-_build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build"
fi
if ninja -C "$build" -n 2>/dev/null | grep -q '^ninja: no work to do'; then
  echo "The build in $build is up to date."
else
  ninja -C "$build"
fi

export GSETTINGS_SCHEMA_DIR="$top/$build/data"
export CP_LOCALEDIR="$top/$build/po"

app="$build/src/app/credit-packet"
server="$build/src/server/credit-packet-server"

# Waits until the server started by start_server writes its address, or exits; sets $url.
wait_for_server () {
  url=""
  for _ in $(seq 100); do
    url=$(sed -n 's|^listening on \(http://[^ ]*\)/\{0,1\}$|\1|p' "$data/listen.txt" | head -n 1)
    [ -n "$url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_server () {
  "$server" --data-dir "$data" --listen "127.0.0.1:$1" >"$data/listen.txt" 2>>"$log" &
  server_pid=$!
}

# One account of each role on the local server, made on its first start: an enterprise (the
# one of the sample packets, credit-packet-tool demo), its credit service agency, the district
# office of Gusu and the city office (an office whose district is the whole city, suzhou:
# the server has no separate city role). The passwords are random, readable by the user only,
# in $data/local-accounts.ini; the login dialog lists them when it talks to this server.
seed_accounts () {
  accounts="$data/local-accounts.ini"
  [ -f "$accounts" ] && return 0
  uscc=91320508MA7607645K
  tmp="$accounts.tmp"
  (umask 077; : >"$tmp")
  "$server" --data-dir "$data" agency add A001 "苏州诚德信用管理咨询有限公司" >/dev/null 2>&1 || true
  "$server" --data-dir "$data" assign "$uscc" A001 >/dev/null 2>&1 || true
  for entry in "enterprise enterprise --enterprise $uscc" "agency agency --agency A001" \
               "district-office office --district gusu" "city-office office --district suzhou"; do
    # shellcheck disable=SC2086
    set -- $entry
    name=$1
    role=$2
    shift 2
    password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
    if printf '%s\n' "$password" | "$server" --data-dir "$data" user add "$name" --role "$role" \
         "$@" >/dev/null 2>>"$log"; then
      printf '[%s]\nuser=%s\npassword=%s\n\n' "$name" "$name" "$password" >>"$tmp"
    else
      echo "The local server's account $name could not be made; see $log." >&2
    fi
  done
  if [ -f "$data/local-login.txt" ]; then
    printf '[admin]\nuser=local\npassword=%s\n' \
      "$(sed -n 's/^password: //p' "$data/local-login.txt")" >>"$tmp"
  fi
  mv "$tmp" "$accounts"
}

# A local server when the user has none: no --server/CP_SERVER_URL and no server address saved
# in the settings. It listens on loopback only, keeps its data beside the user's other data,
# and keeps one port across launches (in port beside its data, so that a login stays valid);
# when that port is taken, it takes a free one and keeps that.
if [ -x "$app" ] && [ -x "$server" ] && [ -z "${CP_SERVER_URL:-}" ]; then
  configured=$(gsettings get io.github.creditpacket.CreditPacket server-url 2>/dev/null || echo "''")
  if [ "$configured" = "''" ]; then
    data="${XDG_DATA_HOME:-$HOME/.local/share}/credit-packet-server"
    mkdir -p "$data"
    log="$data/server.log"
    if [ ! -f "$data/local-login.txt" ]; then
      password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
      printf '%s\n' "$password" | "$server" --data-dir "$data" user add local --role admin >/dev/null
      (umask 077; printf 'user: local\npassword: %s\n' "$password" >"$data/local-login.txt")
    fi
    seed_accounts
    port=$(cat "$data/port" 2>/dev/null || echo 0)
    case "$port" in
      ''|*[!0-9]*) port=0 ;;
    esac
    start_server "$port"
    if ! wait_for_server && [ "$port" != 0 ]; then
      echo "Port $port is taken; the local server takes another one." >&2
      kill "$server_pid" 2>/dev/null || true
      start_server 0
      wait_for_server || true
    fi
    trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT INT TERM
    if [ -n "${url:-}" ]; then
      url=${url%/}
      echo "${url##*:}" >"$data/port"
      export CP_SERVER_URL="$url"
      export CP_LOCAL_ACCOUNTS="$data/local-accounts.ini"
      echo "Local server at $url; its accounts are in $data/local-accounts.ini"
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
