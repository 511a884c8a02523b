#!/bin/sh
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. a build with warnings as errors, every test (unit, integration, UI under Xvfb with a
#      session bus and an unlocked keyring, validators);
#   2. a build with AddressSanitizer and UndefinedBehaviorSanitizer running the core's tests.
# Benchmarks are built but not run here: tools/bench.sh prints their figures.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tools/install-deps.sh run test

build=${BUILD_DIR:-_build}
asan=${ASAN_BUILD_DIR:-_build-asan}

if [ -d "$build" ]; then
  meson setup --reconfigure "$build" -Dwerror=true
else
  meson setup "$build" -Dwerror=true
fi
ninja -C "$build"

export HOME="$top/$build/test-home"
rm -rf "$HOME"
mkdir -p "$HOME"
export XDG_RUNTIME_DIR="$HOME/run"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# The server tests run a second time on PostgreSQL (server-pg, server-processes-pg): a throwaway
# cluster on a Unix socket, removed when this script ends. Under CI=true they must not skip.
pgdir=$(mktemp -d /tmp/cp-test-pg.XXXXXX)
trap 'sh "$top/tools/pg-test-cluster.sh" stop "$pgdir"' EXIT
trap 'exit 130' INT TERM
eval "$(sh tools/pg-test-cluster.sh start "$pgdir")"
if [ -z "${CP_TEST_DATABASE:-}" ] && [ "${CI:-}" = true ]; then
  echo "test.sh: no PostgreSQL for the server-pg tests (install postgresql)" >&2
  exit 1
fi

xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- sh -c '
  echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  meson test -C "$1" --print-errorlogs --num-processes 2' sh "$build"

if [ -d "$asan" ]; then
  meson setup --reconfigure "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dapp=false
else
  meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dapp=false
fi
ninja -C "$asan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
  meson test -C "$asan" --print-errorlogs --suite core --no-suite slow --num-processes 2

# The closing line CI reads: every meson test of both runs.
python3 - "$build/meson-logs/testlog.json" "$asan/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
