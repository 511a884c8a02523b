#!/bin/sh
# Checks that po/zh_CN.po is complete: it compiles without errors, has no fuzzy or untranslated
# message, and translates every message the sources mark today (po/POTFILES.in).
set -eu
srcdir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$srcdir"

msgfmt -c --statistics -o "$tmp/zh_CN.mo" po/zh_CN.po 2>"$tmp/stats"
cat "$tmp/stats"
if grep -q -E 'fuzzy|untranslated' "$tmp/stats"; then
  echo "po/zh_CN.po has fuzzy or untranslated messages" >&2
  exit 1
fi

# The same extraction as meson's pot target (the glib preset), then: is every msgid translated?
xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 \
  --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
  --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
  --flag=g_log:3:c-format --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
  --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
  --flag=g_snprintf:3:c-format \
  --files-from=po/POTFILES.in -o "$tmp/current.pot"
msgcmp po/zh_CN.po "$tmp/current.pot"
echo "zh_CN translates every message of the sources"
