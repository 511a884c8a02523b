#!/bin/sh
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. a build with warnings as errors, every test (unit, integration, UI under Xvfb with a
#      session bus and an unlocked keyring, validators);
#   2. a build with AddressSanitizer and UndefinedBehaviorSanitizer running the core's tests;
#   3. the fuzz targets of tests/fuzz (clang, libFuzzer), each for a bounded time.
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

# GCC's -fsanitize=undefined leaves out float-cast-overflow (a double outside the range of the
# integer it is converted to, such as a JSON 1e400 read as a year): add it.
asan_args="-Db_sanitize=address,undefined -Db_lundef=false -Dapp=false
  -Dc_args=-fsanitize=float-cast-overflow"
if [ -d "$asan" ]; then
  # shellcheck disable=SC2086
  meson setup --reconfigure "$asan" $asan_args
else
  # shellcheck disable=SC2086
  meson setup "$asan" $asan_args
fi
ninja -C "$asan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
  meson test -C "$asan" --print-errorlogs --suite core --no-suite slow --num-processes 2

# Fuzzing (tests/fuzz/README.md): a clang build of the libFuzzer targets, each run from the
# corpus in the tree for a bounded time with a fixed seed; any crash, leak or finding fails.
# About 2.5 minutes of fuzzing in all (FUZZ_SECONDS per target, five targets).
fuzz=${FUZZ_BUILD_DIR:-_build-fuzz}
fuzz_seconds=${FUZZ_SECONDS:-30}
if [ -d "$fuzz" ]; then
  CC=clang meson setup --reconfigure "$fuzz" -Dfuzzing=true -Dapp=false \
    -Db_sanitize=address,undefined -Db_lundef=false
else
  CC=clang meson setup "$fuzz" -Dfuzzing=true -Dapp=false \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
fuzz_targets="packet template scoring-sheet uscc request"
ninja -C "$fuzz" $(for t in $fuzz_targets; do printf 'tests/fuzz/fuzz-%s ' "$t"; done)
for t in $fuzz_targets; do
  work=$(mktemp -d /tmp/cp-fuzz.XXXXXX)
  mkdir -p "$work/new"
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
       "$fuzz/tests/fuzz/fuzz-$t" -seed=1 -max_total_time="$fuzz_seconds" \
       -dict=tests/fuzz/json.dict -artifact_prefix="$work/" -print_final_stats=1 \
       "$work/new" "tests/fuzz/corpus/$t" >"$work/log" 2>&1; then
    tail -n 60 "$work/log" >&2
    echo "test.sh: fuzz-$t failed; the input is in $work" >&2
    exit 1
  fi
  echo "fuzz-$t: $(grep -E '^#[0-9]+.*(DONE|pulse)' "$work/log" | tail -n 1)"
  rm -rf "$work"
done

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
