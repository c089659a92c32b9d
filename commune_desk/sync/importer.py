"""Apply the body of one verified bundle inside the caller's transaction.

Records are applied table by table, parents first, in bulk: one ``SELECT ... WHERE id IN``
per chunk sorts new records from known ones; new records are converted column by column
and inserted with one executemany of SQLAlchemy Core's compiled ``INSERT`` per chunk,
inside a savepoint (if the database refuses the chunk, it is replayed row by row to find
and set aside the rows at fault); newer versions are written with an executemany
``UPDATE``. Values reach the driver in its own form (see ``schema``): an import of a million
rows spends its time in the database. On SQLite a large dossier load suspends the search
index triggers and fills the index in one statement at the end (``store.search_index``).

Rules (DESIGN.md section 3: a commune is the only writer of its records):
- a record from a commune must belong to that commune; a record from the hub must not
  belong to the receiving office: otherwise it is rejected (kept in the review list);
- newer version: updated; same version and content: unchanged; older: unchanged;
- same version with other content: a conflict, both versions kept, the local one stays;
- a record also changed here since it last came (by a person, not an import): a conflict;
  both versions kept, the owner's is the one in the table;
- a new record whose natural key (a dossier code) another record already uses: a code
  collision, both kept in the review list, the new one not applied;
- tables with a merge key (procedure by national code, calendar day by date): another
  office's record with the same key is the same thing: its id becomes an alias of the
  local one and references to it are rewritten. From the hub (the authority on the
  catalog) the content is applied to the local record; from a commune a different content
  is a conflict to review.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from commune_desk.i18n import _
from commune_desk.store.base import UTCDateTime, utcnow
from commune_desk.store.models.sync import SyncAlias, SyncConflict, SyncRelay
from commune_desk.sync import schema
from commune_desk.sync.exporter import CHUNK, fetch_rows, native_ids
from commune_desk.sync.records import Body

INSERT_CHUNK = 5000
BULK_HOOK_MIN = 500
META = ("id", "office_code", "created_at", "updated_at", "version")
# the dossier columns the lifecycle steps maintain (services.lifecycle._write_back)
LIFECYCLE_COLUMNS = ("status", "due_at", "supplement_count", "supplement_requested_at", "supplement_paused_seconds",
                     "extension_count", "result_ready_at", "returned_at", "finished_at", "outcome", "handler_id",
                     "handler_name")

Progress = Callable[[int, int], None]


def _bulk_hooks() -> dict[str, Callable[[Connection], Any]]:
    """Context managers that make a large load of a table cheaper (SQLite search index)."""
    from commune_desk.store import search_index

    def dossier(conn: Connection) -> Any:
        return search_index.suspended(conn) if search_index.available(conn) else nullcontext()

    return {"dossier": dossier}


def _reachable(start: str, goal: str) -> bool:
    """Whether the lifecycle can lead from status ``start`` to status ``goal`` (the owner's
    row is ahead of, not behind, this office's copy)."""
    from commune_desk.domain.lifecycle import PREVIOUS, SAME, TRANSITIONS, Status

    try:
        todo, seen = [Status(start)], {Status(start)}
        goal_status = Status(goal)
    except ValueError:
        return True  # an unknown status: the owner's row stands
    while todo:
        st = todo.pop()
        for t in TRANSITIONS.values():
            if st not in t.sources or t.target == SAME:
                continue
            nxt = t.sources if t.target == PREVIOUS else {Status(t.target)}
            for n in nxt - seen:
                if n == goal_status:
                    return True
                seen.add(n)
                todo.append(n)
    return False


@dataclass
class Source:
    peer_id: int
    office_code: str
    office_name: str
    from_hub: bool                 # a downstream bundle (the hub is the sender)
    self_office: str               # the receiving office
    self_is_hub: bool
    known_offices: set[str] = field(default_factory=set)  # hub: enrolled communes (relay targets)


@dataclass
class Result:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    relayed: int = 0
    seconds: float = 0.0
    # commune: dossier_event ids another office wrote, inserted by this bundle (services.relay
    # applies those steps to the dossiers this office owns, in the same transaction)
    new_foreign_events: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {"created": sum(self.created.values()), "updated": sum(self.updated.values()),
                "unchanged": sum(self.unchanged.values()), "deleted": sum(self.deleted.values()),
                "conflicts": len(self.conflicts), "rejected": len(self.rejected)}


class Applier:
    def __init__(self, conn: Connection, source: Source, *, incoming_id: int | None = None,
                 progress: Progress | None = None) -> None:
        self.conn = conn
        self.source = source
        self.incoming_id = incoming_id
        self.progress = progress
        self.dialect = conn.dialect.name
        self.result = Result()
        self.aliases: dict[str, dict[str, str]] = defaultdict(dict)
        self.new_aliases: list[dict[str, Any]] = []
        self.relays: dict[str, dict[str, set[str]]] = defaultdict(dict)  # table -> id -> targets
        self.relay_rows: list[dict[str, Any]] = []
        self.relay_owners: dict[tuple[str, str], str] = {}  # (table, id) -> owner of a relayed record
        self._looked_up: set[tuple[str, str]] = set()
        self._conflict_rows: list[dict[str, Any]] = []
        self._db_relay_tables: set[str] | None = None
        self.done = 0
        self.total = 0
        self.now = utcnow()

    # -- entry point ----------------------------------------------------------------------
    def apply(self, body: Body) -> Result:
        started = time.perf_counter()
        self.total = sum(body.counts().values())
        for row in self.conn.execute(sa.select(SyncAlias.entity, SyncAlias.foreign_id, SyncAlias.local_id)):
            self.aliases[row.entity][row.foreign_id] = row.local_id
        for name, trows in body.tables.items():
            if schema.spec(name) is None:
                for r in trows.rows:
                    self._reject(name, "?", _("Loại bản ghi không có trong phiên bản này."),
                                 dict(zip(trows.columns, r, strict=False)))
        for ts in schema.synced_specs():
            trows = body.tables.get(ts.name)
            if trows is not None and trows.rows:
                self._upsert_table(ts, trows.columns, trows.rows)
        deletes: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for name, rid, version in body.deletes:
            if schema.spec(name) is None:
                self._reject(name, rid, _("Loại bản ghi không có trong phiên bản này."), {"id": rid, "v": version})
            else:
                deletes[name].append((rid, version))
        for ts in reversed(schema.synced_specs()):
            if deletes.get(ts.name):
                self._delete_table(ts, deletes[ts.name])
        self._flush_bookkeeping()
        self.result.seconds = time.perf_counter() - started
        return self.result

    # -- helpers ------------------------------------------------------------------------------
    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)

    def _reject(self, table: str, rid: str, reason: str, row: Any) -> None:
        self.result.rejected.append({"entity": table, "record_id": rid, "reason": reason})
        self._conflict(table, rid, "rejected", reason, None, row if isinstance(row, dict) else {"value": repr(row)})

    def _conflict(self, table: str, rid: str, kind: str, reason: str, local: dict | None,
                  incoming: dict | None) -> None:
        if kind != "rejected":
            self.result.conflicts.append({"entity": table, "record_id": rid, "kind": kind, "reason": reason})
        self._conflict_rows.append({
            "peer_id": self.source.peer_id, "incoming_id": self.incoming_id, "entity": table,
            "record_id": str(rid)[:64], "kind": kind, "reason": reason, "local_row": local,
            "incoming_row": incoming, "detected_at": self.now, "status": "open"})

    def _problem(self, rid: Any, version: Any, owner: Any) -> str | None:
        """Why a row may not be applied here, or None."""
        if type(rid) is not str or type(version) is not int or type(owner) is not str:
            return _("Bản ghi thiếu mã, phiên bản hoặc đơn vị sở hữu.")
        if not self.source.from_hub and owner != self.source.office_code:
            return _("Bản ghi thuộc đơn vị {owner}, không phải của {sender}: mỗi đơn vị chỉ gửi bản ghi của mình.") \
                .format(owner=owner, sender=self.source.office_name)
        if self.source.from_hub and owner == self.source.self_office:
            return _("Cấp trên gửi xuống một bản ghi của chính đơn vị này: chỉ đơn vị mới được sửa bản ghi của mình.")
        return None

    def _existing(self, ts: schema.TableSpec, ids: list[str]) -> dict[str, tuple[int, str]]:
        """id -> (version, owner) of the records already here."""
        out: dict[str, tuple[int, str]] = {}
        raw = ts.raw(self.dialect)
        to_payload = schema._TO_PAYLOAD["uuid"]
        conv = schema._TO_NATIVE.get(self.dialect, schema._TO_NATIVE["postgresql"])["uuid"]
        for i in range(0, len(ids), CHUNK):
            chunk = []
            for rid in ids[i:i + CHUNK]:
                try:
                    chunk.append(conv(rid))
                except (ValueError, AttributeError):
                    pass  # refused with its reason when inserted
            stmt = sa.select(raw.c.id, raw.c.version, raw.c.office_code).where(raw.c.id.in_(chunk))
            for rid, version, owner in self.conn.execute(stmt):
                out[to_payload(rid)] = (int(version), owner)
        return out

    def _edited_here(self, ids: list[str], since: datetime | None = None) -> set[str]:
        """Records changed on this side (they have change-log entries; imports write none).
        With ``since``: only changes after that time, and not the record's creation."""
        out: set[str] = set()
        log = schema.raw_change_log(self.dialect)
        for i in range(0, len(ids), CHUNK):
            stmt = sa.select(log.c.record_id).where(log.c.record_id.in_(native_ids(self.conn, ids[i:i + CHUNK])))
            if since is not None:
                stmt = stmt.where(log.c.version > 1, log.c.changed_at > sa.literal(since, UTCDateTime()))
            out.update(schema._TO_PAYLOAD["uuid"](r) for (r,) in self.conn.execute(stmt.distinct()))
        return out

    def _canonical(self, ts: schema.TableSpec, row: dict[str, Any]) -> dict[str, Any] | None:
        """A payload row as the database would give it back (for comparisons)."""
        try:
            native = schema.payload_to_native(ts.to_native(self.dialect), row, {})
        except (ValueError, TypeError, AttributeError):
            return None
        return schema.row_to_payload(ts, native)

    # -- upserts ------------------------------------------------------------------------------
    def _upsert_table(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]]) -> None:
        index = {c: i for i, c in enumerate(columns)}
        if not {"id", "version", "office_code"} <= index.keys():
            for r in rows:
                self._reject(ts.name, "?", _("Bản ghi thiếu mã, phiên bản hoặc đơn vị sở hữu."), dict(zip(columns, r, strict=False)))
            return
        i_id, i_v, i_o = index["id"], index["version"], index["office_code"]
        by_id: dict[str, list[Any]] = {}
        for r in rows:
            problem = self._problem(r[i_id], r[i_v], r[i_o])
            if problem:
                self._reject(ts.name, str(r[i_id]), problem, dict(zip(columns, r, strict=False)))
            else:
                by_id[r[i_id]] = r  # the last copy of a record in one bundle wins
        good = list(by_id.values())
        for column, parent in ts.foreign_keys.items():
            amap = self.aliases.get(parent)
            j = index.get(column)
            if amap and j is not None:
                for r in good:
                    if r[j] in amap:
                        r[j] = amap[r[j]]
        existing = self._existing(ts, list(by_id))
        new = [r for r in good if r[i_id] not in existing]
        known = [dict(zip(columns, r, strict=False)) for r in good if r[i_id] in existing]
        if ts.merge_key and new:
            new = self._merge(ts, columns, new)
        inserted = self._insert(ts, columns, new)
        self._update(ts, known, existing)
        self._tick(len(rows) - inserted)

    def _columnar(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]],
                  defaults: dict[str, Any]) -> list[tuple]:
        """Payload rows -> native tuples in local column order."""
        convert = schema.row_converter(ts, self.dialect, tuple(columns), defaults)
        return [convert(r) for r in rows]

    def _native_rows(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]],
                     defaults: dict[str, Any]) -> tuple[list[tuple], list[list[Any]]]:
        try:
            return self._columnar(ts, columns, rows, defaults), rows
        except (ValueError, TypeError, AttributeError):
            pass  # find the rows at fault
        good, tuples = [], []
        for r in rows:
            try:
                tuples.append(self._columnar(ts, columns, [r], defaults)[0])
                good.append(r)
            except (ValueError, TypeError, AttributeError) as exc:
                row = dict(zip(columns, r, strict=False))
                self._reject(ts.name, str(row.get("id")), _("Giá trị không hợp lệ: {error}").format(error=exc), row)
        return tuples, good

    def _insert_sql(self, ts: schema.TableSpec) -> str:
        """SQLAlchemy Core's INSERT for the raw table, compiled once for positional rows."""
        stmt = sa.insert(ts.raw(self.dialect))
        compiled = stmt.compile(dialect=self.conn.dialect)
        if self.dialect == "sqlite":
            return str(compiled)
        # psycopg: the same statement with positional placeholders (rows are tuples)
        quote = self.conn.dialect.identifier_preparer.quote
        return f"INSERT INTO {quote(ts.name)} ({', '.join(quote(c) for c in ts.columns)}) " \
               f"VALUES ({', '.join(['%s'] * len(ts.columns))})"

    def _insert(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]]) -> int:
        """Insert new rows chunk by chunk (progress after each). Returns the rows handled."""
        if not rows:
            return 0
        sql = self._insert_sql(ts)
        missing = [c for c in ts.columns if c not in columns]
        defaults = schema.column_defaults(ts, self.dialect) if missing else {}
        hook = _bulk_hooks().get(ts.name) if len(rows) >= BULK_HOOK_MIN else None
        with hook(self.conn) if hook else nullcontext():
            for i in range(0, len(rows), INSERT_CHUNK):
                tuples, chunk = self._native_rows(ts, columns, rows[i:i + INSERT_CHUNK], defaults)
                if not tuples:
                    self._tick(len(rows[i:i + INSERT_CHUNK]))
                    continue
                try:
                    with self.conn.begin_nested():
                        self.conn.exec_driver_sql(sql, tuples)
                except (IntegrityError, DBAPIError):
                    self._insert_one_by_one(ts, sql, columns, chunk, tuples)
                else:
                    self.result.created[ts.name] += len(tuples)
                    self._note_relays(ts, columns, chunk)
                    self._note_foreign_events(ts, columns, chunk)
                self._tick(len(rows[i:i + INSERT_CHUNK]))
        return len(rows)

    def _insert_one_by_one(self, ts: schema.TableSpec, sql: str, columns: list[str], rows: list[list[Any]],
                           tuples: list[tuple]) -> None:
        for r, t in zip(rows, tuples, strict=True):
            try:
                with self.conn.begin_nested():
                    self.conn.exec_driver_sql(sql, [t])
            except (IntegrityError, DBAPIError) as exc:
                self._diagnose(ts, dict(zip(columns, r, strict=False)), dict(zip(ts.columns, t, strict=False)), exc)
            else:
                self.result.created[ts.name] += 1
                self._note_relays(ts, columns, [r])
                self._note_foreign_events(ts, columns, [r])

    def _diagnose(self, ts: schema.TableSpec, row: dict[str, Any], native: dict[str, Any], exc: Exception) -> None:
        """Why the database refused ``row``: a used natural key, a missing parent, or else."""
        raw = ts.raw(self.dialect)
        for key in ts.unique_keys:
            if any(native.get(c) is None for c in key):
                continue
            stmt = sa.select(*raw.columns).where(*[raw.c[c] == native[c] for c in key]).limit(1)
            local = self.conn.execute(stmt).first()
            if local is not None:
                local_payload = schema.row_to_payload(ts, local)
                if local_payload["id"] != row.get("id"):
                    label = ", ".join(f"{c}={row.get(c)}" for c in key)
                    self._conflict(ts.name, str(row.get("id")), "code_collision",
                                   _("Trùng mã ({key}) với một bản ghi khác đã có; giữ cả hai để xem xét.")
                                   .format(key=label), local_payload, row)
                    return
        for column, parent in ts.foreign_keys.items():
            value = native.get(column)
            if value is None:
                continue
            pts = schema.spec(parent)
            ptable = pts.raw(self.dialect) if pts else sa.table(parent, sa.column("id"))
            if self.conn.execute(sa.select(ptable.c.id).where(ptable.c.id == value).limit(1)).first() is None:
                self._reject(ts.name, str(row.get("id")), _("Thiếu bản ghi cha ({parent} {id}) mà bản ghi này tham "
                                                            "chiếu.").format(parent=parent, id=row.get(column)), row)
                return
        message = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        self._reject(ts.name, str(row.get("id")), _("Cơ sở dữ liệu từ chối bản ghi: {error}").format(error=message), row)

    # -- merge keys (catalog, calendar) -----------------------------------------------------------
    def _merge(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        """Rows already aliased, or whose merge key is used here, are the same thing as a
        local record; returns the rows that are really new."""
        key = ts.merge_key
        assert key is not None
        known = self.aliases.get(ts.name, {})
        dict_rows = [dict(zip(columns, r, strict=False)) for r in rows]
        aliased = {r["id"]: known[r["id"]] for r in dict_rows if r["id"] in known}
        locals_by_id = fetch_rows(self.conn, ts, sorted(set(aliased.values()))) if aliased else {}
        by_key: dict[tuple, dict[str, Any]] = {}
        canon_rows = [self._canonical(ts, r) for r in dict_rows]
        if len(key) == 1:
            raw = ts.raw(self.dialect)
            conv = dict(ts.to_native(self.dialect))[key[0]]
            values = []
            for c in canon_rows:
                if c is not None and c.get(key[0]) is not None:
                    values.append(conv(c[key[0]]) if conv else c[key[0]])
            for i in range(0, len(values), CHUNK):
                stmt = sa.select(*raw.columns).where(raw.c[key[0]].in_(values[i:i + CHUNK]))
                for local in self.conn.execute(stmt):
                    payload = schema.row_to_payload(ts, local)
                    by_key[tuple(payload[k] for k in key)] = payload
        rest = []
        for original, row, canon in zip(rows, dict_rows, canon_rows, strict=True):
            if canon is None:
                rest.append(original)  # refused with its reason by the insert
                continue
            local = locals_by_id.get(aliased[row["id"]]) if row["id"] in aliased else \
                by_key.get(tuple(canon.get(k) for k in key))
            if local is None or local["id"] == row["id"]:
                rest.append(original)
                continue
            previous = None
            if row["id"] not in known:
                self.aliases[ts.name][row["id"]] = local["id"]
                self.new_aliases.append({"entity": ts.name, "foreign_id": row["id"], "local_id": local["id"],
                                         "applied_at": self.now})
            else:
                previous = self._alias_time(ts.name, row["id"])
            if all(canon.get(c) == local.get(c) for c in ts.columns if c not in META):
                self.result.unchanged[ts.name] += 1
            elif self.source.from_hub:
                self._apply_reference(ts, local, canon, previous)
            else:
                self._conflict(ts.name, row["id"], "reference",
                               _("Khác với danh mục của đơn vị này ({key}); giữ bản đang có, lưu bản gửi lên để xem xét.")
                               .format(key=", ".join(str(canon.get(k)) for k in key)), local, row)
        return rest

    def _alias_time(self, entity: str, foreign_id: str) -> Any:
        table = SyncAlias.__table__
        where = (table.c.entity == entity, table.c.foreign_id == foreign_id)
        when = self.conn.execute(sa.select(table.c.applied_at).where(*where)).scalar()
        self.conn.execute(sa.update(table).where(*where).values(applied_at=self.now))
        return when

    def _apply_reference(self, ts: schema.TableSpec, local: dict[str, Any], incoming: dict[str, Any],
                         since: datetime | None) -> None:
        """The hub's catalog row replaces the content of the local row with the same key
        (a conflict keeps the local version when it was edited here since the last update)."""
        epoch = datetime(2000, 1, 1, tzinfo=UTC)
        if local["id"] in self._edited_here([local["id"]], since=since or epoch):
            self._conflict(ts.name, local["id"], "reference",
                           _("Bản ghi danh mục đã sửa ở đây khác với bản của cấp trên; đã dùng bản của cấp trên, "
                             "bản cũ được lưu lại."), local, incoming)
        values = {c: local.get(c) for c in ts.columns if c != "id"}
        values.update({c: incoming.get(c) for c in ts.columns if c not in META})
        values.update(version=int(local["version"]) + 1, updated_at=self._now_payload())
        self.result.updated[ts.name] += self._update_rows(ts, [(local["id"], values)])

    def _now_payload(self) -> str:
        return self.now.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    # -- updates ------------------------------------------------------------------------------
    def _update(self, ts: schema.TableSpec, rows: list[dict[str, Any]], existing: dict[str, tuple[int, str]]) -> None:
        if not rows:
            return
        same_owner = []
        for row in rows:
            owner = existing[row["id"]][1]
            if owner != row["office_code"]:
                local = fetch_rows(self.conn, ts, [row["id"]]).get(row["id"])
                self._conflict(ts.name, row["id"], "owner",
                               _("Cùng mã bản ghi nhưng khác đơn vị sở hữu ({a} / {b}); giữ bản đang có.")
                               .format(a=owner, b=row["office_code"]), local, row)
            else:
                same_owner.append(row)
        # another office's record changed here too (by a person, not by an import)?
        foreign = [r["id"] for r in same_owner if r["office_code"] != self.source.self_office]
        edited = self._edited_here(foreign) if foreign else set()
        compare = [r["id"] for r in same_owner if r["id"] in edited or r["version"] == existing[r["id"]][0]]
        locals_ = fetch_rows(self.conn, ts, compare) if compare else {}
        apply: list[dict[str, Any]] = []
        for row in same_owner:
            rid, version = row["id"], existing[row["id"]][0]
            if rid in edited:
                local = locals_.get(rid)
                if self._canonical(ts, row) == local:
                    self.result.unchanged[ts.name] += 1
                elif self._relayed_here(ts, local):
                    apply.append(self._merge_relayed(row, local))
                else:
                    self._conflict(ts.name, rid, "both_changed",
                                   _("Bản ghi đã được sửa ở đây và cũng được {owner} sửa; đã dùng bản của đơn vị "
                                     "sở hữu, bản sửa ở đây được lưu lại.").format(owner=row["office_code"]),
                                   local, row)
                    apply.append(row)
            elif row["version"] > version:
                apply.append(row)
            elif row["version"] == version:
                local = locals_.get(rid)
                if self._canonical(ts, row) == local:
                    self.result.unchanged[ts.name] += 1
                else:
                    self._conflict(ts.name, rid, "same_version",
                                   _("Hai bản khác nhau cùng phiên bản {v}: bản ghi đã bị sửa ở cả hai nơi; "
                                     "giữ bản đang có.").format(v=row["version"]), local, row)
            else:
                self.result.unchanged[ts.name] += 1
        if edited:
            # the owner's version now stands; the local edit is kept in the review list and its
            # change-log entries (which could never travel: not our record) are dropped
            log = schema.raw_change_log(self.dialect)
            self.conn.execute(sa.delete(log).where(log.c.record_id.in_(native_ids(self.conn, sorted(edited)))))
        if apply:
            pairs = [(r["id"], {c: r.get(c) for c in ts.columns if c != "id" and c in r}) for r in apply]
            self.result.updated[ts.name] += self._update_rows(ts, pairs, rows_by_id={r["id"]: r for r in apply})
            columns = list(apply[0])
            self._note_relays(ts, columns, [[r.get(c) for c in columns] for r in apply])

    def _relayed_here(self, ts: schema.TableSpec, local: dict[str, Any] | None) -> bool:
        """A dossier another office received for this one (relayed by the hub): the local
        edits are this office's lifecycle steps, whose events travel to the owner and are
        applied there (services.relay), so the owner's newer row is no conflict."""
        return (ts.name == "dossier" and local is not None and not self.source.self_is_hub
                and local.get("competent_office_code") == self.source.self_office)

    def _merge_relayed(self, row: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
        """The owner's row; but when its status is behind this office's (our latest steps
        have not reached the owner yet), the lifecycle columns stay as they are here."""
        here, there = local.get("status"), row.get("status")
        if here == there or not isinstance(here, str) or not isinstance(there, str) or _reachable(here, there):
            return row
        return {**row, **{c: local.get(c) for c in LIFECYCLE_COLUMNS if c in local}}

    def _update_rows(self, ts: schema.TableSpec, pairs: list[tuple[str, dict[str, Any]]],
                     rows_by_id: dict[str, dict] | None = None) -> int:
        """UPDATE by id, executemany; rows the database refuses are set aside. Returns applied."""
        if not pairs:
            return 0
        conv = dict(ts.to_native(self.dialect))
        columns = [c for c in ts.columns if c != "id" and c in pairs[0][1]]
        raw = ts.raw(self.dialect)
        stmt = sa.update(raw).where(raw.c.id == sa.bindparam("_id")).values({c: sa.bindparam(c) for c in columns})
        params, sources = [], []
        for rid, values in pairs:
            try:
                p = {"_id": conv["id"](rid)}
                for c in columns:
                    v, f = values.get(c), conv[c]
                    p[c] = f(v) if f and v is not None else v
            except (ValueError, TypeError, AttributeError) as exc:
                self._reject(ts.name, rid, _("Giá trị không hợp lệ: {error}").format(error=exc), {"id": rid, **values})
                continue
            params.append(p)
            sources.append((rid, values))
        applied = 0
        for i in range(0, len(params), INSERT_CHUNK):
            chunk = params[i:i + INSERT_CHUNK]
            try:
                with self.conn.begin_nested():
                    self.conn.execute(stmt, chunk)
                applied += len(chunk)
            except (IntegrityError, DBAPIError):
                for p, (rid, values) in zip(chunk, sources[i:i + INSERT_CHUNK], strict=True):
                    try:
                        with self.conn.begin_nested():
                            self.conn.execute(stmt, [p])
                        applied += 1
                    except (IntegrityError, DBAPIError) as exc:
                        row = (rows_by_id or {}).get(rid) or {"id": rid, **values}
                        native = {k: v for k, v in p.items() if k != "_id"}
                        native["id"] = p["_id"]
                        self._diagnose(ts, row, native, exc)
        return applied

    # -- deletes ------------------------------------------------------------------------------
    def _delete_table(self, ts: schema.TableSpec, recs: list[tuple[str, int]]) -> None:
        existing = self._existing(ts, [rid for rid, _v in recs])
        raw = ts.raw(self.dialect)
        for rid, version in recs:
            if rid not in existing:
                self.result.unchanged[ts.name] += 1
                continue
            local_version, owner = existing[rid]
            if (not self.source.from_hub and owner != self.source.office_code) or \
                    (self.source.from_hub and owner == self.source.self_office):
                self._reject(ts.name, rid, _("Không được xóa bản ghi của đơn vị khác ({owner}).").format(owner=owner),
                             {"id": rid, "v": version})
                continue
            if local_version > version:
                self.result.unchanged[ts.name] += 1
                continue
            try:
                with self.conn.begin_nested():
                    self.conn.execute(sa.delete(raw).where(raw.c.id == native_ids(self.conn, [rid])[0]))
                self.result.deleted[ts.name] += 1
            except (IntegrityError, DBAPIError):
                local = fetch_rows(self.conn, ts, [rid]).get(rid)
                self._conflict(ts.name, rid, "delete_blocked",
                               _("Không xóa được vì còn bản ghi khác tham chiếu tới; giữ lại để xem xét."), local,
                               {"id": rid, "v": version})
        self._tick(len(recs))

    # -- relays (hub) -------------------------------------------------------------------------
    def _note_relays(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]]) -> None:
        """Hub: remember records to pass down to another commune (and their children).

        A row goes to the office its route column names. A child of a relayed record follows
        its parent to the parent's targets and also goes back to the parent's owner (the
        competent commune's steps reach the office that received the dossier: FACTS.md,
        location-independent receipt). A row never goes back to its own office."""
        if not self.source.self_is_hub or not rows:
            return
        index = {c: i for i, c in enumerate(columns)}
        parents = [(index[c], p) for c, p in ts.foreign_keys.items()
                   if c in index and (self.relays.get(p) or p in self._relay_tables())]
        route = index.get(ts.route) if ts.route else None
        if route is None and not parents:
            return
        i_id, i_o = index["id"], index["office_code"]
        for j, parent in parents:
            self._load_relay_targets(parent, [r[j] for r in rows if r[j] is not None])
        for r in rows:
            targets: set[str] = set()
            if route is not None:
                target = r[route]
                if isinstance(target, str) and target != r[i_o] and target in self.source.known_offices:
                    targets.add(target)
            for j, parent in parents:
                parent_targets = self.relays[parent].get(r[j]) if r[j] is not None else None
                if parent_targets:
                    targets |= parent_targets
                    owner = self.relay_owners.get((parent, r[j]))
                    if owner in self.source.known_offices:
                        targets.add(owner)
            targets.discard(r[i_o])
            if targets:
                self.relays[ts.name][r[i_id]] = targets
                self.relay_owners[(ts.name, r[i_id])] = r[i_o]
                self.relay_rows.extend({"target_office": t, "entity": ts.name, "record_id": r[i_id],
                                        "created_at": self.now} for t in sorted(targets))

    def _note_foreign_events(self, ts: schema.TableSpec, columns: list[str], rows: list[list[Any]]) -> None:
        """Commune: the steps another office took (relayed down by the hub) that are new here."""
        if self.source.self_is_hub or ts.name != "dossier_event" or not rows:
            return
        i_id, i_o = columns.index("id"), columns.index("office_code")
        self.result.new_foreign_events.extend(r[i_id] for r in rows if r[i_o] != self.source.self_office)

    def _relay_tables(self) -> set[str]:
        if self._db_relay_tables is None:
            self._db_relay_tables = set(self.conn.execute(sa.select(SyncRelay.entity).distinct()).scalars())
        return self._db_relay_tables

    def _load_relay_targets(self, table: str, ids: list[str]) -> None:
        """Targets (and owners) of parent records relayed by earlier bundles, a chunk per query."""
        if table not in self._relay_tables():
            return
        known = self.relays[table]
        todo = sorted({i for i in ids if i not in known and (table, i) not in self._looked_up})
        if not todo:
            return
        self._looked_up.update((table, i) for i in todo)
        found: dict[str, set[str]] = defaultdict(set)
        for i in range(0, len(todo), CHUNK):
            stmt = sa.select(SyncRelay.record_id, SyncRelay.target_office).where(
                SyncRelay.entity == table, SyncRelay.record_id.in_(todo[i:i + CHUNK]))
            for rid, target in self.conn.execute(stmt):
                found[rid].add(target)
        if not found:
            return
        ts = schema.spec(table)
        owners: dict[str, str] = {}
        if ts is not None:
            raw = ts.raw(self.dialect)
            ids_found = sorted(found)
            for i in range(0, len(ids_found), CHUNK):
                stmt = sa.select(raw.c.id, raw.c.office_code).where(
                    raw.c.id.in_(native_ids(self.conn, ids_found[i:i + CHUNK])))
                owners.update((schema._TO_PAYLOAD["uuid"](rid), owner) for rid, owner in self.conn.execute(stmt))
        for rid, targets in found.items():
            known[rid] = targets
            if rid in owners:
                self.relay_owners[(table, rid)] = owners[rid]

    # -- bookkeeping --------------------------------------------------------------------------
    def _flush_bookkeeping(self) -> None:
        if self.new_aliases:
            self.conn.execute(sa.insert(SyncAlias.__table__), self.new_aliases)
        if self.relay_rows:
            self.conn.execute(sa.insert(SyncRelay.__table__), self.relay_rows)
            self.result.relayed = len(self.relay_rows)
        if self._conflict_rows:
            self.conn.execute(sa.insert(SyncConflict.__table__), self._conflict_rows)
