"""The dossier search index (SQLite FTS5), kept in step by triggers.

Why this shape (figures in ENVIRONMENT.md and tests/bench/bench_desk_search.py):
- FTS5 with ``unicode61`` leaves "đ" alone, so the indexed text is already folded by the
  application: ``dossier.applicant_folded`` (``domain.text.fold``), the code in lower case,
  the ID number and the phone (stored as digits). No Python function is needed in SQL,
  so plain SQL triggers can keep the index in step for every writer: the desk, the
  lifecycle, the sync importer, a restore. Nobody has to remember to call anything.
- A prefix index on 1 to 6 characters covers every folded Vietnamese syllable ("nguyen",
  "nghieng" is the longest at 7), so typing a name stays a lazy doclist walk: the newest 50
  matches of "nguyen" are found without reading the 400,000 others.
- The FTS rowid is a small integer ``n`` from ``dossier_fts_key`` (n -> dossier id), given in
  order of receipt. Search results come newest first by walking the index backwards
  (``ORDER BY rowid DESC``), which FTS5 does without sorting. The dossier's own SQLite rowid
  is not used: VACUUM may renumber it (the table's key is a UUID).
- Bulk loads (demo data) drop the triggers, insert, then fill the index in one statement
  (:func:`suspended`), which is several times faster than firing a trigger per row.
- ``dossier_fts_total`` keeps the number of dossiers (the triggers add and subtract), so the
  unfiltered list knows its length at once: COUNT(*) of a million rows reads ~10,000 pages.

PostgreSQL (a large hub) has none of this: the services fall back to LIKE on the folded
columns (:func:`available` says which).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from commune_desk.domain.text import fold

FTS_TABLE = "dossier_fts"
KEY_TABLE = "dossier_fts_key"
TOTAL_TABLE = "dossier_fts_total"
PREFIXES = "1 2 3 4 5 6"


def _body(row: str) -> str:
    """The indexed text of a dossier row (``new``/``old`` in a trigger, an alias in a query)."""
    return (f"{row}.applicant_folded || ' ' || lower({row}.code) || ' ' || "
            f"coalesce({row}.applicant_id_number, '') || ' ' || coalesce({row}.applicant_phone, '')")


TABLES = (
    f"CREATE TABLE {KEY_TABLE} (n INTEGER PRIMARY KEY, dossier_id CHAR(32) NOT NULL UNIQUE)",
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, prefix='{PREFIXES}', "
    f"tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TABLE {TOTAL_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), total INTEGER NOT NULL)",
)
SEED = f"INSERT INTO {TOTAL_TABLE} (id, total) VALUES (1, 0)"

TRIGGERS = {
    "dossier_fts_ai": (
        f"CREATE TRIGGER dossier_fts_ai AFTER INSERT ON dossier BEGIN "
        f"INSERT INTO {KEY_TABLE}(dossier_id) VALUES (new.id); "
        f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (last_insert_rowid(), {_body('new')}); "
        f"UPDATE {TOTAL_TABLE} SET total = total + 1; END"),
    "dossier_fts_au": (
        f"CREATE TRIGGER dossier_fts_au AFTER UPDATE OF applicant_folded, code, applicant_id_number, "
        f"applicant_phone ON dossier BEGIN "
        f"UPDATE {FTS_TABLE} SET body = {_body('new')} "
        f"WHERE rowid = (SELECT n FROM {KEY_TABLE} WHERE dossier_id = old.id); END"),
    "dossier_fts_ad": (
        f"CREATE TRIGGER dossier_fts_ad AFTER DELETE ON dossier BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = (SELECT n FROM {KEY_TABLE} WHERE dossier_id = old.id); "
        f"DELETE FROM {KEY_TABLE} WHERE dossier_id = old.id; "
        f"UPDATE {TOTAL_TABLE} SET total = total - 1; END"),
}

DDL = (*TABLES, SEED, *TRIGGERS.values())


def available(conn: Connection) -> bool:
    """Whether this database has the FTS index (SQLite with the migration applied)."""
    if conn.dialect.name != "sqlite":
        return False
    names = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='table' AND name IN (?, ?, ?)", (FTS_TABLE, KEY_TABLE, TOTAL_TABLE))}
    return len(names) == 3


# -- keeping it in step ----------------------------------------------------------------
def fill_missing(conn: Connection, *, after_rowid: int = 0) -> int:
    """Index every dossier that has no entry yet, oldest receipt first; only those stored
    after ``after_rowid`` (SQLite's rowid of the dossier table) when given. Returns how many."""
    before = conn.exec_driver_sql(f"SELECT coalesce(max(n), 0) FROM {KEY_TABLE}").scalar_one()
    added = conn.exec_driver_sql(
        f"INSERT INTO {KEY_TABLE}(dossier_id) SELECT d.id FROM dossier d "
        f"WHERE d.rowid > ? AND NOT EXISTS (SELECT 1 FROM {KEY_TABLE} k WHERE k.dossier_id = d.id) "
        f"ORDER BY +d.received_at, d.id", (after_rowid,)).rowcount  # "+": walk the rowid range, not the index
    if added:
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT k.n, {_body('d')} FROM {KEY_TABLE} k "
            f"JOIN dossier d ON d.id = k.dossier_id WHERE k.n > ?", (before,))
        conn.exec_driver_sql(f"UPDATE {TOTAL_TABLE} SET total = total + ?", (added,))
    return max(added, 0)


def rebuild(conn: Connection) -> int:
    """Throw the index away and build it again from the dossier table (repair)."""
    conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    conn.exec_driver_sql(f"DELETE FROM {KEY_TABLE}")
    conn.exec_driver_sql(f"UPDATE {TOTAL_TABLE} SET total = 0")
    count = fill_missing(conn)
    optimize(conn)
    return count


def optimize(conn: Connection) -> None:
    """Merge the index into one b-tree after a big load (faster searches)."""
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


@contextmanager
def suspended(conn: Connection) -> Iterator[None]:
    """Bulk load without the per-row triggers; the index is filled afterwards in one go.

    Use inside the loading transaction: if it rolls back, the triggers come back with it.
    Only the rows stored inside the block are indexed at the end (the rest already are).
    """
    last = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM dossier").scalar_one()
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    yield
    for ddl in TRIGGERS.values():
        conn.exec_driver_sql(ddl)
    fill_missing(conn, after_rowid=last)


def total(conn: Connection) -> int:
    """How many dossiers the database holds, without counting them (kept by the triggers)."""
    return int(conn.exec_driver_sql(f"SELECT total FROM {TOTAL_TABLE}").scalar_one())


def status(conn: Connection) -> tuple[int, int]:
    """(indexed entries, dossiers): equal when the index is whole (and so is :func:`total`)."""
    indexed = conn.exec_driver_sql(f"SELECT count(*) FROM {KEY_TABLE}").scalar_one()
    dossiers = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar_one()
    return indexed, dossiers


# -- what the user typed, as an FTS5 query -------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+")
_NUMBER_SEPARATORS = re.compile(r"[\s.\-()+]")
MAX_TOKENS = 8


def tokens(query: str) -> list[str]:
    """The folded words and numbers of a query ("Nguyễn Thị Đ" -> ["nguyen", "thi", "d"])."""
    return _TOKEN.findall(fold(query))[:MAX_TOKENS]


def joined_number(query: str) -> str | None:
    """A phone or ID number typed with separators ("0912 345 678", "+84 912.345.678"),
    written as the digits that are stored; None if the query is not such a number."""
    raw = _NUMBER_SEPARATORS.sub("", query or "")
    if not raw.isdigit() or len(raw) < 4:
        return None
    stripped = (query or "").strip()
    if stripped.startswith("+84"):
        raw = "0" + raw[2:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    return raw


def match_phrase(query: str) -> str | None:
    """The words in order, the last one a prefix: what a clerk means while typing a name
    ("nguyen thi d" finds "Nguyễn Thị Đào"), a code ("250115-0001") or a number."""
    words = tokens(query)
    if not words:
        return None
    expr = '"' + " ".join(words) + '"*'
    number = joined_number(query)
    if number and len(words) > 1:
        expr += f' OR "{number}"*'
    return expr


def match_any_order(query: str) -> str | None:
    """Every word as a prefix, in any order ("dao nguyen" finds "Nguyễn Thị Đào"). Numbers
    typed in groups ("0912 345 678") may be one phone or ID number, or separate parts of a
    code: both readings are asked."""
    words = tokens(query)
    if len(words) < 2:
        return None
    groups: list[list[str]] = []
    for word in words:
        if word.isdigit() and groups and groups[-1][-1].isdigit():
            groups[-1].append(word)
        else:
            groups.append([word])
    parts = []
    for group in groups:
        if len(group) == 1:
            parts.append(f'"{group[0]}"*')
        else:
            separate = " AND ".join(f'"{w}"*' for w in group)
            parts.append(f'("{"".join(group)}"* OR ({separate}))')
    return " AND ".join(parts)


def like_pattern(value: str) -> str:
    """``value`` with LIKE's wildcards escaped (use with ``escape='\\\\'``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
