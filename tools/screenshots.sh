#!/bin/sh
# Takes the screenshots in docs/screenshots/ from the real application, in Chinese, with sample
# packets in a temporary data folder.
#
#   tools/screenshots.sh [BUILDDIR]        (default: _build)
#
# Needs xvfb-run, dbus-run-session, ImageMagick's import, sqlite3 and the zh_CN.UTF-8 locale;
# xcompmgr, when installed, gives popovers and dialogs their real shadows.
# Each shot starts the application afresh; GSettings (a keyfile in a temporary HOME) tells it
# which packet and page to reopen, exactly as after a restart.
set -eu

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=$(cd "${1:-$SRCDIR/_build}" && pwd)
OUT="$SRCDIR/docs/screenshots"
WORK=$(mktemp -d /tmp/cp-screenshots-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

mkdir -p "$OUT"
"$BUILDDIR/tests/app/cp-make-demo-store" "$WORK/data" 8 >/dev/null

uuid_of () {
  # uuid_of KIND N — the N-th (0-based) packet of KIND, oldest first
  sqlite3 "$WORK/data/packets.db" \
    "SELECT uuid FROM packets WHERE kind = '$1' ORDER BY created, rowid LIMIT 1 OFFSET $2"
}

CITY=$(uuid_of city-demonstration 0)
PARTIAL=$(uuid_of standardization-acceptance 1)
REVIEW=$(uuid_of demonstration-review 0)

cat > "$WORK/shot.sh" <<'EOS'
#!/bin/sh
# shot.sh PACKET PAGE FILE
set -u
export HOME="$WORK/home"
rm -rf "$HOME"
mkdir -p "$HOME/.config/glib-2.0/settings"
export XDG_CONFIG_HOME="$HOME/.config"
cat > "$HOME/.config/glib-2.0/settings/keyfile" <<EOK
[io/github/creditpacket/CreditPacket]
last-packet='$1'
last-page='$2'
window-width=1280
window-height=800
EOK
export GSETTINGS_BACKEND=keyfile
"$BUILDDIR/src/app/credit-packet" --data-dir "$WORK/data" >"$WORK/app.log" 2>&1 &
APP=$!
i=0
while [ $i -lt 100 ] && ! xwininfo -name 'Credit Packet' >/dev/null 2>&1 && \
      ! xwininfo -name '信用申报' >/dev/null 2>&1; do
  sleep 0.1; i=$((i + 1))
done
sleep 1.5
import -window root "$3"
# The very first start on a machine builds font caches and may paint late: take it again.
if [ "$(stat -c %s "$3")" -lt 10000 ]; then
  sleep 3
  import -window root "$3"
fi
kill $APP
wait $APP 2>/dev/null || true
EOS
chmod +x "$WORK/shot.sh"

cat > "$WORK/all.sh" <<EOS
#!/bin/sh
set -e
# Without a compositing manager, Xvfb paints the transparent margins of popovers and dialogs
# black: xcompmgr (Debian package xcompmgr) makes the shots look as on a desktop.
if command -v xcompmgr >/dev/null 2>&1; then
  xcompmgr -n &
  sleep 0.5
fi
"$WORK/shot.sh" '' '' "$OUT/packet-list.png"
"$WORK/shot.sh" '$CITY' field-survey "$OUT/wizard-page.png"
"$WORK/shot.sh" '$PARTIAL' completeness "$OUT/completeness.png"
"$WORK/shot.sh" '$CITY' scoring-sheet "$OUT/scoring-sheet.png"
"$WORK/shot.sh" '$CITY' completeness "$OUT/completeness-ready.png"
ADW_DEBUG_COLOR_SCHEME=prefer-dark "$WORK/shot.sh" '$REVIEW' financial-statements "$OUT/wizard-page-dark.png"
# The sync screens (login, sync status, conflict page), the office's district progress table
# and a returned packet's comment against a real server on loopback.
if [ -x "$BUILDDIR/tests/app/cp-sync-screenshots" ] && [ -x "$BUILDDIR/src/server/credit-packet-server" ]; then
  # An unlocked keyring keeps the logins: otherwise the keyring's "new password" prompt shows
  # over the window after each one.
  echo -n screenshots | HOME="$WORK/home" gnome-keyring-daemon --unlock --components=secrets \
    >/dev/null 2>&1 || true
  HOME="$WORK/home" GSETTINGS_BACKEND=memory "$BUILDDIR/tests/app/cp-sync-screenshots" \
    "$BUILDDIR/src/server/credit-packet-server" "$OUT" >"$WORK/sync.log" 2>&1
fi
EOS
chmod +x "$WORK/all.sh"

export WORK BUILDDIR OUT
export LANGUAGE=zh_CN LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
export CP_LOCALEDIR="$BUILDDIR/po"
export GSETTINGS_SCHEMA_DIR="$BUILDDIR/data"
export GSK_RENDERER=cairo
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- "$WORK/all.sh"
ls -l "$OUT"/*.png
