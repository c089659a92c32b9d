"""From change-log entries to a bundle body: the current state of every changed row.

Several changes of one record in the same bundle travel once, as the row is now (its
``version`` tells the receiver how new it is). A record changed and then deleted travels as
a deletion. Parents come before children (the order of ``Base.metadata.sorted_tables``),
deletions last, children first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from commune_desk.sync import schema
from commune_desk.sync.records import Body

CHUNK = 900  # stays under SQLite's 999 bound parameters of old builds


def native_ids(conn: Connection, ids: Iterable[str]) -> list[Any]:
    conv = schema._TO_NATIVE.get(conn.dialect.name, schema._TO_NATIVE["postgresql"])["uuid"]
    return [conv(str(i)) for i in ids]


def _payload_rows(ts: schema.TableSpec, rows: Iterable[Any]) -> list[list[Any]]:
    """Native rows -> payload rows (lists in column order), converted column by column."""
    rows = rows.all() if hasattr(rows, "all") else list(rows)
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    out_cols = []
    for (_name, conv), values in zip(ts.to_payload(), columns, strict=True):
        out_cols.append(values if conv is None else [None if v is None else conv(v) for v in values])
    return [list(r) for r in zip(*out_cols, strict=True)]


def fetch_rows(conn: Connection, ts: schema.TableSpec, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Current rows of ``ts`` by id (payload form, as dicts), keyed by the id string."""
    out: dict[str, dict[str, Any]] = {}
    raw = ts.raw(conn.dialect.name)
    for i in range(0, len(ids), CHUNK):
        chunk = native_ids(conn, ids[i:i + CHUNK])
        for row in _payload_rows(ts, conn.execute(sa.select(*raw.columns).where(raw.c.id.in_(chunk)))):
            payload = dict(zip(ts.columns, row, strict=True))
            out[payload["id"]] = payload
    return out


def collect(conn: Connection, changes: Iterable[tuple[str, Any, str, int]], body: Body | None = None,
            owner: str | None = None) -> Body:
    """``changes``: (entity, record_id, op, version) in change-log order. With ``owner``, only
    that office's rows travel: a commune working a dossier relayed to it from another office
    changes that record locally, but only the owner may send it (its own steps do travel)."""
    last: dict[tuple[str, str], tuple[str, int]] = {}
    for entity, record_id, op, version in changes:
        last[(entity, str(record_id))] = (op, version)
    by_table: dict[str, list[str]] = {}
    deletes: dict[str, list[tuple[str, int]]] = {}
    for (entity, rid), (op, version) in last.items():
        if schema.spec(entity) is None:
            continue  # a table that no longer travels
        if op == "delete":
            deletes.setdefault(entity, []).append((rid, version))
        else:
            by_table.setdefault(entity, []).append(rid)
    body = body or Body()
    dialect = conn.dialect.name
    for ts in schema.synced_specs():
        ids = by_table.get(ts.name)
        if not ids:
            continue
        raw = ts.raw(dialect)
        found: set[str] = set()
        for i in range(0, len(ids), CHUNK):
            chunk = native_ids(conn, ids[i:i + CHUNK])
            rows = _payload_rows(ts, conn.execute(sa.select(*raw.columns).where(raw.c.id.in_(chunk))))
            id_at = ts.columns.index("id")
            found.update(r[id_at] for r in rows)
            if owner is not None:
                office_at = ts.columns.index("office_code")
                rows = [r for r in rows if r[office_at] == owner]
            if rows or owner is None:
                body.add_rows(ts.name, ts.columns, rows)
        for rid in ids:
            if rid not in found:  # changed, then deleted before this bundle was made
                deletes.setdefault(ts.name, []).append((rid, last[(ts.name, rid)][1] + 1))
    for ts in reversed(schema.synced_specs()):
        for rid, version in deletes.get(ts.name, []):
            body.deletes.append((ts.name, rid, version))
    return body


def collect_all(conn: Connection, tables: Iterable[str], where_office: str | None = None,
                body: Body | None = None) -> Body:
    """Every row of ``tables`` (optionally only one office's): the first downstream bundle."""
    body = body or Body()
    wanted = set(tables)
    for ts in schema.synced_specs():
        if ts.name not in wanted:
            continue
        raw = ts.raw(conn.dialect.name)
        stmt = sa.select(*raw.columns)
        if where_office is not None:
            stmt = stmt.where(raw.c.office_code == where_office)
        body.add_rows(ts.name, ts.columns, _payload_rows(ts, conn.execute(stmt)))
    return body


def ordered(body: Body) -> Body:
    """The same body with its tables in parent-first order (after merging two bodies)."""
    order = schema.table_order()
    out = Body(deletes=list(body.deletes))
    for name in sorted(body.tables, key=lambda n: order.get(n, len(order))):
        out.tables[name] = body.tables[name]
    return out
