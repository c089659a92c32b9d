"""Schema upgrades at start: refuse a database from a newer release, back up the file,
then run the Alembic migrations shipped inside the package."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.store.engine import sqlite_path


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "commune_desk.store:migrations")
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def sqlite_backup(src: Path, dest: Path) -> Path:
    """A consistent copy through SQLite's online backup API (safe while others read)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    return dest


def upgrade(engine: Engine, *, backup_dir: Path | None = None, revision: str = "head") -> Path | None:
    """Bring the database to ``revision``. Returns the backup made first, if any."""
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
