#!/bin/sh
# A throwaway PostgreSQL cluster for the server tests (the server-pg suite):
#   eval "$(sh tools/pg-test-cluster.sh start DIR)"   prints export CP_TEST_DATABASE=…
#   sh tools/pg-test-cluster.sh stop DIR              stops it and removes DIR
# DIR must not exist yet (or be empty). The cluster listens only on a Unix socket in DIR, trusts
# local connections, and trades durability for speed (fsync off): it holds test data only.
# As root the server runs as the "postgres" user (PostgreSQL refuses to run as root).
# Prints nothing and exits 0 when PostgreSQL's server programs are not installed (Debian:
# postgresql); the server-pg tests then skip, except under CI=true, where they fail.
set -eu

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir=$candidate
  done
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port=55432

case "$cmd" in
  start)
    if [ -z "$bindir" ]; then
      echo "pg-test-cluster: PostgreSQL's server programs are not installed" >&2
      exit 0
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    # A role that owns the test database, as an application's role would.
    as_owner "$bindir/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
      -c "CREATE ROLE cptest LOGIN" -c "CREATE DATABASE cptest OWNER cptest" >/dev/null
    echo "export CP_TEST_DATABASE='postgresql://cptest@/cptest?host=$dir&port=$port'"
    ;;
  stop)
    if [ -d "$dir/data" ] && [ -n "$bindir" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
