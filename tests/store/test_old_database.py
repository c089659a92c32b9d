"""A database made by the first release's schema (revision 0001, kept in tests/data/) opens,
is backed up and upgraded to the newest schema, and keeps its data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from commune_desk.paths import DB_FILENAME
from commune_desk.services.context import Database
from commune_desk.store import migrate

OLD = Path(__file__).resolve().parents[1] / "data" / "db-rev0001.sqlite3"


def test_database_from_first_release_is_upgraded_with_a_backup(data_dir):
    shutil.copy(OLD, data_dir / DB_FILENAME)
    db = Database.open(data_dir)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        office = db.require_office()
        assert (office.office_code, office.office_name) == ("00919", "Xã Minh Tân")
    finally:
        db.close()
    backups = list((data_dir / "backups").glob("*.sqlite3"))
    assert backups, "no backup was made before the upgrade"
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("select version_num from alembic_version").fetchone() == ("0001",)
