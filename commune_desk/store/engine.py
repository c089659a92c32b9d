"""Engines and sessions. SQLite is the embedded default; PostgreSQL serves a large hub
through the same code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from commune_desk.paths import DB_FILENAME


def sqlite_url(data_dir: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(Path(data_dir) / DB_FILENAME))


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the window read while a save commits; synchronous=FULL makes a commit that
    # returned survive a power cut, not only a crash of the process.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)

        # pysqlite's own transaction handling defers BEGIN; take a write lock at the start
        # of a write transaction instead, so two writers queue instead of failing mid-way.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(engine: Engine) -> Path | None:
    if not is_sqlite(engine) or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    from commune_desk.store.changes import install_change_capture

    factory = sessionmaker(engine, expire_on_commit=False)
    install_change_capture(factory)
    return factory
