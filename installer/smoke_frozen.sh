#!/usr/bin/env bash
# Start a frozen build once, outside any virtual environment, offscreen:
#  1. --version;  2. check on an empty data folder (creates and migrates the database);
#  3. an existing database made by the first release's schema (revision 0001) is upgraded.
set -euo pipefail
exe="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { env -i HOME="$work/home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$exe" "$@"; }
run --version
# an empty data folder: set up (creates the database and runs every migration), then check
run --data-dir "$work/empty" init --role commune --office-code 00919 --office-name "Xã Minh Tân" >/dev/null
run --data-dir "$work/empty" check
echo "smoke: empty data folder OK"
# a database made by the first release's schema (revision 0001) is backed up and upgraded
here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$work/old" && cp "$here/tests/data/db-rev0001.sqlite3" "$work/old/commune_desk.sqlite3"
run --data-dir "$work/old" catalog export "$work/old/catalog.csv" >/dev/null
run --data-dir "$work/old" check
ls "$work/old/backups" | grep -q upgrade
echo "smoke: old database upgraded OK"
echo "smoke: frozen build OK"
