"""Models and migrations agree; every revision upgrades from the one before; a database
from a newer release is refused."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from commune_desk.errors import KnownError
from commune_desk.services.context import Database
from commune_desk.store import migrate
from commune_desk.store.engine import make_engine, sqlite_url
from commune_desk.store.models import Base


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_single_head():
    assert migrate.head_revision() == revisions()[-1]


def test_the_start_up_shortcut_knows_the_newest_migration():
    # An up-to-date database skips loading Alembic at start: the constant must name the head.
    assert migrate.HEAD_REVISION == revisions()[-1]


def test_models_match_migrations(data_dir):
    engine = make_engine(sqlite_url(data_dir))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff


def _include(obj, name, type_, reflected, compare_to):  # noqa: ARG001
    return not (type_ == "table" and name and "_fts" in name)


@pytest.mark.parametrize("rev", revisions()[:-1] or ["base"])
def test_each_revision_upgrades_to_head_with_a_backup(data_dir, rev):
    engine = make_engine(sqlite_url(data_dir))
    if rev != "base":
        migrate.upgrade(engine, revision=rev)
    backup = migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    if rev != "base":
        assert backup is not None and backup.exists()
        with sqlite3.connect(backup) as conn:
            assert conn.execute("select version_num from alembic_version").fetchone() == (rev,)


def test_app_starts_on_empty_folder_and_on_previous_revision(data_dir):
    db = Database.open(data_dir)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert db.office is None
    db.close()


def test_database_from_newer_release_is_refused(data_dir):
    engine = make_engine(sqlite_url(data_dir))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num='9999_future'")
    with pytest.raises(KnownError, match="phiên bản mới hơn"):
        migrate.upgrade(engine)


def test_wal_and_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_second_copy_on_same_folder_gets_a_clear_message(commune_dir):
    first = Database.open(commune_dir)
    try:
        import subprocess
        import sys

        code = ("import sys; from commune_desk.services.context import Database\n"
                "try:\n    Database.open(sys.argv[1])\nexcept Exception as e:\n    print(e, file=sys.stderr); sys.exit(1)")
        out = subprocess.run([sys.executable, "-c", code, str(commune_dir)],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 1
        assert "đang mở thư mục dữ liệu" in out.stderr
    finally:
        first.close()
