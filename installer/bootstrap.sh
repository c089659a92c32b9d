#!/usr/bin/env bash
# Set up commune_desk on a fresh Debian/Ubuntu machine, then start it or test it.
#   bash installer/bootstrap.sh app    # install and open the window (SQLite in the user data folder)
#   bash installer/bootstrap.sh test   # install with the test extras and run the whole test suite
# It installs the system libraries Qt needs (apt-get, with sudo when not root), makes a
# virtual environment in .venv and installs the project into it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"; shift || true

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
QT_LIBS="libegl1 libgl1 libopengl0 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0 libdbus-1-3
  libcups2 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libxcb-shm0
  libxcb-glx0 fonts-dejavu-core"
TEST_TOOLS="poppler-utils zbar-tools xvfb xauth postgresql"

if command -v apt-get >/dev/null 2>&1; then
  pkgs="$QT_LIBS"
  [ "$mode" = "test" ] && pkgs="$pkgs $TEST_TOOLS"
  python3 -m venv --help >/dev/null 2>&1 || pkgs="$pkgs python3-venv"
  missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "${missing// /}" ]; then
    echo "bootstrap: apt-get install$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
VPY=.venv/bin/python
"$VPY" -m pip install -q --upgrade pip >/dev/null
if [ "$mode" = "test" ]; then
  "$VPY" -m pip install -q -e ".[test]"
else
  "$VPY" -m pip install -q -e .
fi

case "$mode" in
  app)
    exec .venv/bin/commune-desk "$@"
    ;;
  test)
    # A throwaway PostgreSQL server for the hub tests (DESIGN.md section 6).
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$PGBIN" ] && [ -z "${COMMUNE_DESK_TEST_PG:-}" ]; then
      PGDIR=$(mktemp -d)
      # a free port, so a server already running on this machine cannot clash with it
      PGPORT="${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
      RUN=""; [ "$(id -u)" -eq 0 ] && { chown postgres: "$PGDIR"; RUN="runuser -u postgres --"; }
      $RUN "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      $RUN "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
        -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
      trap '$RUN "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true' EXIT
      $RUN "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres testdb
      export COMMUNE_DESK_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/testdb"
    fi
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/ruff check commune_desk tests
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash installer/bootstrap.sh app|test" >&2; exit 2
    ;;
esac
