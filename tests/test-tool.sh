#!/bin/sh
# credit-packet-tool end to end: real files, real exit statuses, TAP output.
# Usage: test-tool.sh TOOL SOURCE_TESTS_DIR
set -u
tool=$1
srcdir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok () {
  n=$((n + 1))
  echo "ok $n - $1"
}

not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | head -n 20
}

# expect STATUS DESCRIPTION [GREP_PATTERN] -- COMMAND…
expect () {
  want=$1; what=$2; pattern=$3; shift 4
  "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "# exit status $got, wanted $want" >>"$tmp/out"
    not_ok "$what"
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/out"; then
    echo "# output lacks: $pattern" >>"$tmp/out"
    not_ok "$what"
  else
    ok "$what"
  fi
}

# USCC: the worked example of DOMAIN.md, a hand-checked Jiangsu code, and faults.
expect 0 "uscc: worked example valid, division named" "北京市海淀区" -- \
  "$tool" uscc 91110108551385082Q
expect 0 "uscc: Jiangsu code valid" "320506" -- "$tool" uscc 91320506138223450R
expect 1 "uscc: wrong check character" "“Q”" -- "$tool" uscc 91110108551385082R
expect 1 "uscc: forbidden letter" "I, O, S, V" -- "$tool" uscc 9111010855138508OQ
expect 1 "uscc: too short" "17" -- "$tool" uscc 91110108551385082
expect 0 "uscc: --normalize accepts small and full-width letters" "valid" -- \
  "$tool" uscc --normalize "９１１１０１０８５５１３８５０８２q"
expect 0 "uscc: unknown division is only a warning" "GB/T 2260" -- \
  "$tool" uscc 91329999123456788J

# Bad input of every kind: a clear message and exit status 2, never a crash.
expect 2 "validate: missing file" "Could not read" -- "$tool" validate "$tmp/none.json"
expect 2 "validate: a folder" "folder" -- "$tool" validate "$tmp"
printf '{"format": 1, "uuid": ' >"$tmp/broken.json"
expect 2 "validate: not JSON" "not valid JSON" -- "$tool" validate "$tmp/broken.json"
printf '{"format": 1, "uuid": "\351\351"}' >"$tmp/latin1.json"
expect 2 "validate: wrong encoding" "UTF-8" -- "$tool" validate "$tmp/latin1.json"
printf '[]' >"$tmp/array.json"
expect 2 "validate: wrong type at the top" "expected an object" -- \
  "$tool" validate "$tmp/array.json"
head -c 9000000 /dev/zero | tr '\0' ' ' >"$tmp/huge.json"
expect 2 "validate: huge file" "at most" -- "$tool" validate "$tmp/huge.json"
printf '' >"$tmp/empty.json"
expect 2 "validate: empty file" "empty" -- "$tool" validate "$tmp/empty.json"
expect 2 "validate: no file named" "at least one" -- "$tool" validate
expect 2 "unknown command" "not a command" -- "$tool" frobnicate
expect 2 "new: unknown kind" "not a packet kind" -- "$tool" new no-such-kind

# Templates.
expect 0 "templates list: four kinds" "city-demonstration" -- "$tool" templates list
expect 0 "templates list: Jiangsu sheet of 1000 points" "1000 points" -- "$tool" templates list
expect 0 "templates list: Anhui sheet" "anhui-2016" -- "$tool" templates list
printf '{"format": 1, "type": "packet-kind"}' >"$tmp/bad-kind.json"
expect 1 "templates check: a malformed template names the file" "bad-kind.json" -- \
  "$tool" templates check "$tmp/bad-kind.json"

# A new packet is a draft with errors; demo packets are complete.
for kind in standardization-acceptance city-demonstration provincial-recommendation \
            demonstration-review; do
  "$tool" new "$kind" --year 2020 >"$tmp/new-$kind.json" 2>"$tmp/out"
  expect 1 "new $kind: empty packet has findings" "required" -- \
    "$tool" validate "$tmp/new-$kind.json"
done

if "$tool" demo -o "$tmp/demo" >"$tmp/out" 2>&1; then
  ok "demo: writes sample packets"
else
  not_ok "demo: writes sample packets"
fi
count=$(ls "$tmp/demo" 2>/dev/null | wc -l)
if [ "$count" -eq 4 ]; then ok "demo: one packet of each of the four kinds"; else
  echo "# $count files" >"$tmp/out"; not_ok "demo: one packet of each of the four kinds"; fi

for f in "$tmp"/demo/*.json; do
  [ -f "$f" ] || continue
  expect 0 "validate demo $(basename "$f"): ready" "ready to submit" -- "$tool" validate "$f"
done

city=$(ls "$tmp"/demo/city-demonstration-*.json 2>/dev/null | head -n 1)
if [ -n "$city" ]; then
  expect 0 "validate --json: machine-readable" '"ready" : true' -- \
    "$tool" validate --json "$city"
  expect 0 "score: total and verdict of the Jiangsu sheet" "1000" -- "$tool" score "$city"
  # Break the credit code in the cover: the validator must say where and why.
  sed 's/"uscc" : "\([0-9A-Z]\{17\}\)[0-9A-Z]"/"uscc" : "\1Z"/' "$city" >"$tmp/bad-uscc.json"
  expect 1 "validate: wrong credit code is an error in the cover" "cover.uscc" -- \
    "$tool" validate "$tmp/bad-uscc.json"
  expect 1 "validate --json: exit status 1 with errors" '"code" : "uscc-' -- \
    "$tool" validate --json "$tmp/bad-uscc.json"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
