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

# The binder: a demo packet whose 19 attachments are made real files named by their SHA-256 in a
# folder given by a relative path (PDFs: forms-only binders of other packets; JPEG and PNG
# pictures). Then one file is taken away.
if [ -n "$city" ] && command -v convert >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
  mkdir -p "$tmp/work/blobs"
  cp "$city" "$tmp/work/bound.json"
  "$tool" demo -n 5 -o "$tmp/sources" >/dev/null 2>&1
  i=0
  n_pdf_pages=0
  n_images=0
  for old in $(grep -o '"sha256" : "[0-9a-f]\{64\}"' "$city" | grep -o '[0-9a-f]\{64\}'); do
    i=$((i + 1))
    if [ $((i % 3)) -eq 0 ]; then
      convert -size "$((200 + i))x280" xc:white -fill red -draw "circle 100,140 100,180" \
        "$tmp/file.jpg" && f="$tmp/file.jpg"
      n_images=$((n_images + 1))
    elif [ $((i % 3)) -eq 1 ] && [ $i -gt 10 ]; then
      convert -size "$((200 + i))x280" xc:white -fill blue -draw "rectangle 20,20 180,80" \
        "$tmp/file.png" && f="$tmp/file.png"
      n_images=$((n_images + 1))
    else
      src=$(ls "$tmp"/sources/*.json | sed -n "${i}p")
      "$tool" binder "$src" --forms-only -o "$tmp/file.pdf" >/dev/null 2>&1
      f="$tmp/file.pdf"
      n_pdf_pages=$((n_pdf_pages + $(pdfinfo "$f" | sed -n 's/^Pages: *//p')))
    fi
    new=$(sha256sum "$f" | cut -c1-64)
    mv "$f" "$tmp/work/blobs/$new"
    sed "s/$old/$new/g" "$tmp/work/bound.json" >"$tmp/work/next.json" &&
      mv "$tmp/work/next.json" "$tmp/work/bound.json"
  done

  cd "$tmp/work" || exit 1
  expect 0 "binder: whole binder from a relative folder" "pages" -- \
    "$tool" binder bound.json --files blobs -o binder.pdf
  expect 0 "binder: forms only, without a folder" "pages" -- \
    "$tool" binder bound.json --forms-only -o forms.pdf
  whole=$(pdfinfo binder.pdf 2>/dev/null | sed -n 's/^Pages: *//p')
  forms=$(pdfinfo forms.pdf 2>/dev/null | sed -n 's/^Pages: *//p')
  if [ -n "$whole" ] && [ -n "$forms" ] &&
     [ "$whole" -ge $((forms + n_pdf_pages + n_images)) ] &&
     [ "$whole" -le $((forms + n_pdf_pages + n_images + 9)) ]; then
    ok "binder: $whole pages = $forms form pages + $n_pdf_pages PDF pages + $n_images images (+ lists)"
  else
    echo "# whole $whole, forms $forms, PDF pages $n_pdf_pages, images $n_images" >"$tmp/out"
    not_ok "binder: the attachments' pages are bound in"
  fi
  if pdftotext binder.pdf - 2>/dev/null | grep -q "is damaged\|is missing"; then
    not_ok "binder: no notice page when every file is there"
  else
    ok "binder: no notice page when every file is there"
  fi

  gone=$(ls blobs | head -n 1)
  mv "blobs/$gone" "$tmp/gone"
  expect 1 "binder: a missing attachment exits 1 and says which" "missing from blobs" -- \
    "$tool" binder bound.json --files blobs -o binder.pdf
  if pdftotext binder.pdf - 2>/dev/null | grep -q "This attachment is missing"; then
    ok "binder: a notice page stands in for the missing file"
  else
    not_ok "binder: a notice page stands in for the missing file"
  fi
  mv "$tmp/gone" "blobs/$gone"

  expect 2 "binder: no output named" "-o OUT.pdf" -- "$tool" binder bound.json --files blobs
  expect 2 "binder: no folder and no --forms-only" "--files DIR" -- \
    "$tool" binder bound.json -o x.pdf
  expect 2 "binder: the folder is not a folder" "not a folder" -- \
    "$tool" binder bound.json --files bound.json -o x.pdf
  expect 2 "binder: not a packet" "not valid JSON" -- \
    "$tool" binder "$tmp/broken.json" --files blobs -o x.pdf
  expect 2 "binder: an unwritable place" "Could not write" -- \
    "$tool" binder bound.json --files blobs -o "$tmp/no/such/folder/x.pdf"
  if [ ! -e x.pdf ] && [ -z "$(ls -A "$tmp/work" | grep -v '^blobs$\|^bound.json$\|^binder.pdf$\|^forms.pdf$')" ]; then
    ok "binder: nothing half-written is left behind"
  else
    ls -A "$tmp/work" >"$tmp/out"
    not_ok "binder: nothing half-written is left behind"
  fi
  cd - >/dev/null || exit 1
fi

echo "1..$n"
[ "$failed" -eq 0 ]
