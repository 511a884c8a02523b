#!/bin/sh
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. a build with warnings as errors, every test (unit, integration, UI under Xvfb with a
#      session bus and an unlocked keyring, validators);
#   2. a build with AddressSanitizer and UndefinedBehaviorSanitizer running the core's tests;
#   3. the fuzz targets of tests/fuzz (clang, libFuzzer), each for a bounded time.
# The typing suite runs on an X server of its own beside the other tests, and builds 2 and 3
# compile at the lowest priority meanwhile, so that the whole takes about a quarter less time.
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

# A home of its own for each of the two test runs below, so their keyrings and settings never
# meet.
fresh_home() {
  rm -rf "$1"
  mkdir -p "$1/run"
  chmod 700 "$1/run"
}

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

# Runs meson test under an X server of its own, with a session bus and an unlocked keyring:
#   under_x HOME FIRST-DISPLAY MESON-TEST-ARGS...
under_x() {
  x_home=$1
  x_display=$2
  shift 2
  fresh_home "$x_home"
  HOME=$x_home XDG_RUNTIME_DIR=$x_home/run \
    xvfb-run -a -n "$x_display" -s '-screen 0 1280x800x24' dbus-run-session -- sh -c '
      echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      meson test "$@"' sh "$@"
}

# The typing suite (about 6.5 minutes, mostly a reviewer's keys at a user's speed, beside a CPU hog
# of its own) runs on a display of its own, beside the rest of the tests on another. Its log goes
# to meson-logs/testlog-typing.* and is printed when it ends.
under_x "$top/$build/test-home-typing" 80 -C "$build" --no-rebuild --print-errorlogs \
  --suite typing --logbase testlog-typing >"$build/typing-run.log" 2>&1 &
typing_pid=$!

# Meanwhile, at the lowest priority, the sanitizer and fuzzing builds (steps 2 and 3) compile on
# whatever the tests leave of the CPU.
# GCC's -fsanitize=undefined leaves out float-cast-overflow (a double outside the range of the
# integer it is converted to, such as a JSON 1e400 read as a year): add it.
asan_args="-Db_sanitize=address,undefined -Db_lundef=false -Dapp=false
  -Dc_args=-fsanitize=float-cast-overflow"
fuzz=${FUZZ_BUILD_DIR:-_build-fuzz}
fuzz_args="-Dfuzzing=true -Dapp=false -Db_sanitize=address,undefined -Db_lundef=false"
fuzz_targets="packet template scoring-sheet uscc request"
setup() {
  dir=$1
  shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}
(
  set -e
  # shellcheck disable=SC2086
  setup "$asan" $asan_args
  nice -n 19 ninja -C "$asan"
  # shellcheck disable=SC2086
  CC=clang setup "$fuzz" $fuzz_args
  # shellcheck disable=SC2046
  nice -n 19 ninja -C "$fuzz" $(for t in $fuzz_targets; do printf 'tests/fuzz/fuzz-%s ' "$t"; done)
) >"$build/sanitizer-builds.log" 2>&1 &
builds_pid=$!

status=0
under_x "$top/$build/test-home" 99 -C "$build" --no-rebuild --print-errorlogs \
  --num-processes 2 --no-suite typing || status=$?
typing_status=0
wait "$typing_pid" || typing_status=$?
cat "$build/typing-run.log"
builds_status=0
wait "$builds_pid" || builds_status=$?
if [ "$status" -ne 0 ] || [ "$typing_status" -ne 0 ]; then
  echo "test.sh: the tests failed (meson-logs/testlog.txt, testlog-typing.txt)" >&2
  exit 1
fi
if [ "$builds_status" -ne 0 ]; then
  tail -n 60 "$build/sanitizer-builds.log" >&2
  echo "test.sh: the sanitizer or fuzzing build failed" >&2
  exit 1
fi

HOME="$top/$build/test-home" \
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
  meson test -C "$asan" --print-errorlogs --suite core --no-suite slow --num-processes 2

# Fuzzing (tests/fuzz/README.md): the clang build of the libFuzzer targets, each run from the
# corpus in the tree for a bounded time with a fixed seed; any crash, leak or finding fails.
# FUZZ_SECONDS per target, two targets at a time (one a core): about 1.5 minutes in all.
fuzz_seconds=${FUZZ_SECONDS:-30}
fuzz_one() {
  work=$(mktemp -d /tmp/cp-fuzz.XXXXXX)
  mkdir -p "$work/new"
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
       "$fuzz/tests/fuzz/fuzz-$1" -seed=1 -max_total_time="$fuzz_seconds" \
       -dict=tests/fuzz/json.dict -artifact_prefix="$work/" -print_final_stats=1 \
       "$work/new" "tests/fuzz/corpus/$1" >"$work/log" 2>&1; then
    tail -n 60 "$work/log" >&2
    echo "test.sh: fuzz-$1 failed; the input is in $work" >&2
    return 1
  fi
  echo "fuzz-$1: $(grep -E '^#[0-9]+.*(DONE|pulse)' "$work/log" | tail -n 1)"
  rm -rf "$work"
}
# shellcheck disable=SC2086
set -- $fuzz_targets
while [ $# -gt 0 ]; do
  fuzz_one "$1" &
  first=$!
  second=
  if [ $# -gt 1 ]; then
    fuzz_one "$2" &
    second=$!
    shift
  fi
  shift
  fuzz_status=0
  wait "$first" || fuzz_status=1
  if [ -n "$second" ]; then
    wait "$second" || fuzz_status=1
  fi
  [ "$fuzz_status" -eq 0 ] || exit 1
done

# The closing line CI reads: every meson test of the three runs.
python3 - "$build/meson-logs/testlog.json" "$build/meson-logs/testlog-typing.json" \
  "$asan/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        results = [json.loads(line).get("result") for line in f if line.strip()]
    # meson test exits 0 when no test matched: a run without tests is a failure here.
    if not results:
        print(f"test.sh: no test ran ({path})", file=sys.stderr)
        failed += 1
    for result in results:
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
