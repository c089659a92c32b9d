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
run --data-dir "$work/empty" check
echo "smoke: empty data folder OK"
# an old database: initialise at the first revision with the frozen app's own migrations
run --data-dir "$work/old" init --role commune --office-code 00919 --office-name "Xã Minh Tân" >/dev/null
python3 - "$work/old/commune_desk.sqlite3" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print("smoke: schema before:", con.execute("select version_num from alembic_version").fetchone()[0])
PY
run --data-dir "$work/old" check
echo "smoke: frozen build OK"
