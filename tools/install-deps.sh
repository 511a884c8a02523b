#!/bin/sh
# Installs what Credit Packet needs to build, run and test on Debian 12.
# Runs as root (CI) or through sudo; does nothing when everything is already there.
set -eu

packages="gcc libc6-dev meson ninja-build pkg-config python3
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev libsqlite3-dev
  libgtk-4-dev libgtk-4-bin libadwaita-1-dev libsoup-3.0-dev libsecret-1-dev libsodium-dev nettle-dev
  libcairo2-dev libpango1.0-dev libpoppler-glib-dev libqpdf-dev libgdk-pixbuf-2.0-dev
  libxlsxwriter-dev gettext appstream desktop-file-utils flatpak-builder
  xvfb xauth x11-utils dbus dbus-x11 gnome-keyring at-spi2-core python3-pyatspi
  imagemagick poppler-utils qpdf python3-openpyxl fonts-noto-cjk locales sqlite3 curl wrk
  libpq-dev postgresql"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  echo "Installing:$missing"
  # PostgreSQL is for the tests, which start a throwaway cluster of their own
  # (tools/pg-test-cluster.sh): no system-wide cluster on installation.
  if ! dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed"; then
    $SUDO mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" |
      $SUDO tee /etc/postgresql-common/createcluster.d/credit-packet.conf >/dev/null
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The application is Chinese first: make sure the zh_CN locale exists for tests and screenshots.
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
