#!/bin/sh
# test-run-app.sh — the README's launch command on a built tree, as a newcomer runs it
#
#   test-run-app.sh SOURCE_DIR BUILD_DIR
#
# Runs tools/run-app.sh with the application's --version (it prints and quits), in a fresh HOME:
# the tree is not built again, the local server starts on loopback, makes one account of each
# role on its first start (checked by logging in to it with curl), keeps its port the next time,
# and takes another one when that port is taken. Prints TAP.
set -u
src=$1
build=$2
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=1
  fi
}

for tool in curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

echo "1..10"
home=$(mktemp -d /tmp/cp-run-app-XXXXXX)
trap 'rm -rf "$home"' EXIT
data="$home/.local/share/credit-packet-server"

run () {
  env -u CP_SERVER_URL -u CP_LOCAL_ACCOUNTS HOME="$home" XDG_DATA_HOME="$home/.local/share" \
    GSETTINGS_BACKEND=memory BUILD_DIR="$build" sh "$src/tools/run-app.sh" --version \
    >"$home/out.txt" 2>"$home/err.txt"
}

run
status=$?
ok "$status" "run-app.sh launches the application (exit $status)"
grep -q "^credit-packet " "$home/out.txt"
ok $? "the application ran: $(grep '^credit-packet ' "$home/out.txt")"
grep -q "is up to date" "$home/out.txt" && ! grep -q "Compiling\|Linking" "$home/out.txt"
ok $? "a built tree is not built again"

port=$(cat "$data/port" 2>/dev/null)
case "$port" in
  ''|*[!0-9]*|0) false ;;
  *) true ;;
esac
ok $? "the local server's port is kept beside its data (port $port)"

# Every account logs in, with the role it was made for.
mode=$(stat -c %a "$data/local-accounts.ini" 2>/dev/null)
[ "$mode" = 600 ]
ok $? "the accounts file is readable by the user only (mode $mode)"

"$build/src/server/credit-packet-server" --data-dir "$data" --listen "127.0.0.1:$port" \
  >"$home/listen.txt" 2>"$home/server.log" &
server=$!
for _ in $(seq 50); do
  grep -q "^listening on" "$home/listen.txt" && break
  sleep 0.1
done
roles=$(python3 - "$data/local-accounts.ini" "$port" <<'PY'
import configparser, json, sys, urllib.request
accounts = configparser.ConfigParser(interpolation=None)
accounts.read(sys.argv[1], encoding="utf-8")
out = []
for group in ("enterprise", "agency", "district-office", "city-office"):
    body = json.dumps({"user": accounts[group]["user"],
                       "password": accounts[group]["password"]}).encode()
    request = urllib.request.Request("http://127.0.0.1:%s/api/v1/session" % sys.argv[2], body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        user = json.load(reply)["user"]
    out.append("%s=%s%s" % (group, user["role"],
                            ":" + user["district"] if "district" in user else ""))
print(" ".join(out))
PY
)
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
expected="enterprise=enterprise agency=agency district-office=office:gusu"
[ "$roles" = "$expected city-office=office:suzhou" ]
ok $? "one account of each role logs in: $roles"

run
[ -n "$port" ] && [ "$(cat "$data/port")" = "$port" ] && grep -q "127.0.0.1:$port" "$home/out.txt"
ok $? "the second launch uses the same port ($(cat "$data/port"))"

# The port taken by something else: another one, kept from then on.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(30)' "$port" &
blocker=$!
sleep 0.5
run
status=$?
new_port=$(cat "$data/port")
kill "$blocker" 2>/dev/null
wait "$blocker" 2>/dev/null
[ "$status" = 0 ] && [ "$new_port" != "$port" ] && grep -q "127.0.0.1:$new_port" "$home/out.txt"
ok $? "with port $port taken, the server took $new_port and keeps it"

# The accounts are made once.
before=$(md5sum <"$data/local-accounts.ini")
run
[ -s "$data/local-accounts.ini" ] && [ "$(md5sum <"$data/local-accounts.ini")" = "$before" ]
ok $? "the accounts are made on the first start only"

# Launching installs what building and running need, not the test suite's servers and tools.
run_set=$(sh "$src/tools/install-deps.sh" --list run)
test_set=$(sh "$src/tools/install-deps.sh" --list run test)
missing_from_tests=""
for p in postgresql wrk flatpak-builder xvfb xdotool; do
  echo "$run_set" | grep -qx "$p" && missing_from_tests="$missing_from_tests +$p"
  echo "$test_set" | grep -qx "$p" || missing_from_tests="$missing_from_tests -$p"
done
echo "$run_set" | grep -qx libadwaita-1-dev && [ -z "$missing_from_tests" ]
ok $? "install-deps.sh run leaves the test suite's packages to tools/test.sh$missing_from_tests"

exit $failed
