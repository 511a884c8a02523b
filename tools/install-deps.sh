#!/bin/sh
# Installs what Credit Packet needs on Debian 12, in two sets:
#
#   sh tools/install-deps.sh run         what building and running need (tools/run-app.sh)
#   sh tools/install-deps.sh run test    that and what the test suite needs (tools/test.sh)
#   sh tools/install-deps.sh --list SET… prints the packages of the sets, installs nothing
#
# No set means both. Runs as root (CI) or through sudo; installs only what is missing,
# and does nothing when everything is already there.
set -eu

# Building the application, the server and the tool, and running them: compilers and
# libraries, the translations' tools, Chinese fonts and the zh_CN locale.
run_packages="gcc libc6-dev meson ninja-build pkg-config python3
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev libsqlite3-dev
  libgtk-4-dev libgtk-4-bin libadwaita-1-dev libsoup-3.0-dev libsecret-1-dev libsodium-dev nettle-dev
  libcairo2-dev libpango1.0-dev libpoppler-glib-dev libqpdf-dev libgdk-pixbuf-2.0-dev
  libxlsxwriter-dev gettext fonts-noto-cjk locales"

# The test suite: validators, windows under Xvfb with a session bus and a keyring, AT-SPI and
# real key presses (xdotool, openbox), screenshots and PDF pages, the PostgreSQL backend, the
# load benchmark.
test_packages="appstream desktop-file-utils flatpak-builder
  xvfb xauth x11-utils dbus dbus-x11 gnome-keyring at-spi2-core python3-pyatspi
  xdotool openbox imagemagick poppler-utils qpdf python3-openpyxl sqlite3 curl wrk
  libpq-dev postgresql clang libclang-rt-14-dev"

want_run=false
want_test=false
list_only=false
if [ "${1:-}" = --list ]; then
  list_only=true
  shift
fi
if [ $# -eq 0 ]; then
  want_run=true
  want_test=true
fi
for set_name in "$@"; do
  case "$set_name" in
    run) want_run=true ;;
    test) want_test=true ;;
    *) echo "install-deps.sh: unknown set “$set_name” (run, test)" >&2; exit 2 ;;
  esac
done

packages=""
$want_run && packages="$packages $run_packages"
$want_test && packages="$packages $test_packages"
if $list_only; then
  # shellcheck disable=SC2086
  printf '%s\n' $packages
  exit 0
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

if [ -n "$missing" ]; then
  echo "Installing:$missing"
  # PostgreSQL is for the tests, which start a throwaway cluster of their own
  # (tools/pg-test-cluster.sh): no system-wide cluster on installation.
  case " $missing " in
    *" postgresql "*)
      if ! dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed"; then
        $SUDO mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" |
          $SUDO tee /etc/postgresql-common/createcluster.d/credit-packet.conf >/dev/null
      fi
      ;;
  esac
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The application is Chinese first: make sure the zh_CN locale exists for running it, the tests
# and the screenshots.
if $want_run && ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  $SUDO sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
