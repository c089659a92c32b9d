"""Schema upgrades at start: refuse a database from a newer release, back up the file,
then run the Alembic migrations shipped inside the package."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.store.engine import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

# The newest shipped revision, so a start on an up-to-date database reads one row instead of
# loading Alembic and every migration script (about 0.8 s). tests/store/test_migrations.py
# checks it against the scripts: adding a migration without updating it fails there.
HEAD_REVISION = "0005"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "commune_desk.store:migrations")
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None when there is no record yet."""
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, "alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def sqlite_backup(src: Path, dest: Path) -> Path:
    """A consistent copy through SQLite's online backup API (safe while others read)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    return dest


def upgrade(engine: Engine, *, backup_dir: Path | None = None, revision: str = "head") -> Path | None:
    """Bring the database to ``revision``. Returns the backup made first, if any."""
    if revision == "head" and _stored_revision(engine) == HEAD_REVISION:
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise KnownError(_("Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của phần mềm "
                           "(lược đồ {rev}). Hãy cài phiên bản mới nhất.").format(rev=current))
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return None
    backup = None
    db_file = sqlite_path(engine)
    if current is not None and db_file is not None and db_file.exists():
        from commune_desk.store.backup import make_backup

        # verified, and of a kind that rotation never deletes
        folder = backup_dir or db_file.parent / "backups"
        backup = make_backup(db_file, folder, "upgrade", tag=f"rev{current}").path
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return backup
