"""Which tables travel, and how a row becomes a line of a bundle and back.

Synced tables are found generically: every mapped class that subclasses ``Synced`` (so the
training and audit tables travel without this module knowing them). A row is serialised as
a JSON object of its columns: UUIDs as strings, datetimes as ISO UTC with microseconds and
``Z`` (``2026-03-02T01:30:00.000000Z``), dates and times ISO, bytes base64, JSON columns as
JSON. For speed, values are converted straight between that form and what the database
driver stores (a "native" value), without building Python objects in between: an import
of a million rows spends its time in the database, not in conversions.

Optional class attributes a model may set (all have defaults here for the foundation tables):
- ``__sync_merge_key__ = ("code",)``: a record of another office with the same natural key
  is the same thing (a procedure by its national code): it is aliased, never duplicated.
- ``__sync_down__ = True``: the hub's own rows of this table go down to the communes.
- ``__sync_route__ = "column"``: the hub relays a row to the office whose code is in that
  column (a dossier received at one office for another); its child rows follow it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.sqltypes import NullType

from commune_desk.store.base import Base, Synced

MERGE_KEYS: dict[str, tuple[str, ...]] = {"procedure": ("code",), "calendar_day": ("day",)}
DOWNSTREAM: set[str] = {"procedure", "calendar_day"}
ROUTES: dict[str, str] = {}

Converter = Callable[[Any], Any]


def _kind(col: sa.Column) -> str:
    t = col.type
    if isinstance(t, sa.types.TypeDecorator):
        t = t.impl_instance if hasattr(t, "impl_instance") else t.impl
    checks = ((sa.Uuid, "uuid"), (sa.DateTime, "datetime"), (sa.Date, "date"), (sa.Time, "time"),
              (sa.JSON, "json"), (sa.Boolean, "bool"), (sa.LargeBinary, "bytes"), (sa.Integer, "int"),
              (sa.Float, "float"), (sa.Numeric, "float"), (sa.String, "str"))
    for cls, kind in checks:
        if isinstance(t, cls):
            return kind
    return "other"


# -- payload (JSON) -> native (what the driver takes) ---------------------------------------

def _dt_canonical(v: str) -> str:
    """Any ISO datetime string -> ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (naive means UTC)."""
    if len(v) == 27 and v[10] == "T" and v[26] == "Z":
        return v
    d = datetime.fromisoformat(v.replace("Z", "+00:00"))
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d.isoformat(timespec="microseconds") + "Z"


def _sqlite_uuid(v: str) -> str:
    h = v.replace("-", "")
    if len(h) != 32:
        raise ValueError(f"bad uuid {v!r}")
    return h.lower()


def _sqlite_dt(v: str) -> str:
    c = v if len(v) == 27 and v[26] == "Z" and v[10] == "T" else _dt_canonical(v)
    return c[:10] + " " + c[11:26]


def row_converter(ts: TableSpec, dialect: str, columns: tuple[str, ...],
                  defaults: dict[str, Any]) -> Callable[[list[Any]], tuple]:
    """A function: one incoming payload row (values in the order of ``columns``) -> the
    native tuple in the table's column order. It is generated once per column layout so a
    row costs one call (the commonest conversions inlined): most of an import's Python time
    is here. Raises ValueError/TypeError/AttributeError on a bad value, like the converters."""
    key = (ts.name, dialect, columns, tuple(sorted(defaults.items(), key=lambda kv: kv[0])) if defaults else ())
    try:
        cached = _ROW_CONVERTERS.get(key)
    except TypeError:  # an unhashable default (a list): no caching
        cached = None
    if cached is not None:
        return cached
    index = {c: i for i, c in enumerate(columns)}
    env: dict[str, Any] = {"_sqlite_dt": _sqlite_dt, "_sqlite_uuid": _sqlite_uuid, "_defaults": defaults}
    parts = []
    for k, (name, conv) in enumerate(ts.to_native(dialect)):
        j = index.get(name)
        if j is None:
            parts.append(f"_defaults[{name!r}]")
            continue
        kind = ts.kinds[name]
        if conv is None:
            parts.append(f"r[{j}]")
        elif dialect == "sqlite" and kind == "datetime":
            parts.append(f"(None if (v{k} := r[{j}]) is None else (v{k}[:10] + ' ' + v{k}[11:26] "
                         f"if len(v{k}) == 27 and v{k}[26] == 'Z' and v{k}[10] == 'T' else _sqlite_dt(v{k})))")
        elif dialect == "sqlite" and kind == "uuid":
            parts.append(f"(None if (v{k} := r[{j}]) is None else (h{k} if len(h{k} := v{k}.replace('-', '')) == 32 "
                         f"else _sqlite_uuid(v{k})))")
        else:
            env[f"c{k}"] = conv
            parts.append(f"(None if (v{k} := r[{j}]) is None else c{k}(v{k}))")
    source = "def convert(r):\n    return (" + ", ".join(parts) + ",)\n"
    exec(compile(source, f"<sync row converter {ts.name}>", "exec"), env)  # noqa: S102 - generated above
    fn = env["convert"]
    try:
        _ROW_CONVERTERS[key] = fn
    except TypeError:
        pass
    return fn


_ROW_CONVERTERS: dict[Any, Callable[[list[Any]], tuple]] = {}


def _pg_dt(v: str) -> str:
    return _dt_canonical(v)[:26]


def _date(v: str) -> str:
    return date.fromisoformat(v).isoformat() if len(v) != 10 else v


def _time(v: str) -> str:
    return v if len(v) == 15 else time.fromisoformat(v).isoformat(timespec="microseconds")


_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_dump(v: Any) -> str:
    return _json_encode(v)


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v in (0, 1):
        return bool(v)
    raise ValueError(f"bad boolean {v!r}")


def _bytes(v: str) -> bytes:
    return base64.b64decode(v, validate=True)


_TO_NATIVE: dict[str, dict[str, Converter | None]] = {
    "sqlite": {"uuid": _sqlite_uuid, "datetime": _sqlite_dt, "date": _date, "time": _time,
               "json": _json_dump, "bool": _bool, "bytes": _bytes},
    # PostgreSQL takes the same strings (cast by the server to uuid, timestamp, json, ...)
    "postgresql": {"uuid": str, "datetime": _pg_dt, "date": _date, "time": _time,
                   "json": _json_dump, "bool": _bool, "bytes": _bytes},
}

# -- native -> payload ------------------------------------------------------------------------


def _p_uuid(v: Any) -> str:
    if isinstance(v, str):
        if len(v) == 32:
            return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
        return v
    return str(v)


def _p_dt(v: Any) -> str:
    if isinstance(v, str):  # SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'
        if len(v) == 26:
            return v[:10] + "T" + v[11:] + "Z"
        return _dt_canonical(v)
    if v.tzinfo is not None:
        v = v.astimezone(UTC).replace(tzinfo=None)
    return v.isoformat(timespec="microseconds") + "Z"


def _p_date(v: Any) -> str:
    return v if isinstance(v, str) else v.isoformat()


def _p_time(v: Any) -> str:
    return _time(v) if isinstance(v, str) else v.isoformat(timespec="microseconds")


def _p_json(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


def _p_bytes(v: Any) -> str:
    return base64.b64encode(bytes(v)).decode("ascii")


def _p_float(v: Any) -> Any:
    return float(v) if not isinstance(v, (int, float)) else v


_TO_PAYLOAD: dict[str, Converter | None] = {
    "uuid": _p_uuid, "datetime": _p_dt, "date": _p_date, "time": _p_time, "json": _p_json,
    "bool": bool, "bytes": _p_bytes, "float": _p_float,
}


@dataclass
class TableSpec:
    """What sync needs to know about one synced table."""

    table: sa.Table
    name: str
    columns: list[str]
    kinds: dict[str, str]
    unique_keys: list[tuple[str, ...]]        # natural keys besides the primary key
    foreign_keys: dict[str, str]              # column -> referred table
    merge_key: tuple[str, ...] | None
    down: bool
    route: str | None
    nullable: dict[str, bool] = field(default_factory=dict)
    _raw: dict[str, sa.Table] = field(default_factory=dict)

    def raw(self, dialect: str) -> sa.Table:
        """The same table with types that do no conversion: values go to the driver as
        they are (on SQLite untyped; on PostgreSQL typed only for the casts)."""
        table = self._raw.get(dialect)
        if table is None:
            md = sa.MetaData()
            if dialect == "sqlite":
                cols = [sa.Column(c, NullType(), primary_key=(c == "id")) for c in self.columns]
            else:
                cols = [sa.Column(c, _pg_raw_type(self.kinds[c]), primary_key=(c == "id")) for c in self.columns]
            table = self._raw[dialect] = sa.Table(self.name, md, *cols)
        return table

    def to_native(self, dialect: str) -> list[tuple[str, Converter | None]]:
        table = _TO_NATIVE.get(dialect, _TO_NATIVE["postgresql"])
        return [(c, table.get(self.kinds[c])) for c in self.columns]

    def to_payload(self) -> list[tuple[str, Converter | None]]:
        return [(c, _TO_PAYLOAD.get(self.kinds[c])) for c in self.columns]


def _raw_pg(base: type[sa.types.TypeEngine]) -> type[sa.types.TypeDecorator]:
    class Raw(sa.types.TypeDecorator):
        """A PostgreSQL type for the raw table: casts rendered, comparisons keep this type
        (SQLAlchemy would otherwise bind a date compared with a string as VARCHAR); no value
        conversion either way (``schema`` converts)."""

        impl = base
        cache_ok = True

        def coerce_compared_value(self, op, value):  # noqa: ARG002
            return self

        def bind_processor(self, dialect):  # noqa: ARG002 - values are already what the server takes
            return None

        def result_processor(self, dialect, coltype):  # noqa: ARG002 - the driver's own objects
            return None

    Raw.__name__ = f"Raw{base.__name__}"
    return Raw


@lru_cache(maxsize=1)
def _pg_raw_types() -> dict[str, sa.types.TypeEngine]:
    from sqlalchemy.dialects import postgresql

    return {"uuid": _raw_pg(postgresql.UUID)(as_uuid=False), "datetime": _raw_pg(sa.DateTime)(),
            "date": _raw_pg(sa.Date)(), "time": _raw_pg(sa.Time)(), "json": _raw_pg(sa.JSON)(),
            "bool": _raw_pg(sa.Boolean)(), "bytes": _raw_pg(sa.LargeBinary)(), "int": _raw_pg(sa.BigInteger)(),
            "float": _raw_pg(sa.Float)(), "str": _raw_pg(sa.String)()}


def _pg_raw_type(kind: str) -> sa.types.TypeEngine:
    return _pg_raw_types().get(kind) or NullType()


def _unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    pk = tuple(c.name for c in table.primary_key.columns)
    keys: list[tuple[str, ...]] = []
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint):
            keys.append(tuple(c.name for c in cons.columns))
    for index in table.indexes:
        if index.unique:
            keys.append(tuple(c.name for c in index.columns))
    return [k for k in dict.fromkeys(keys) if k and k != pk]


def _synced_classes() -> dict[str, type]:
    import commune_desk.store.models  # noqa: F401  (registers every table)

    out: dict[str, type] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Synced) and mapper.local_table is not None:
            out[mapper.local_table.name] = cls
    return out


@lru_cache(maxsize=1)
def _specs() -> dict[str, TableSpec]:
    classes = _synced_classes()
    specs: dict[str, TableSpec] = {}
    for table in Base.metadata.sorted_tables:  # parents before children
        cls = classes.get(table.name)
        if cls is None:
            continue
        columns = [c.name for c in table.columns]
        fks = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
        specs[table.name] = TableSpec(
            table=table, name=table.name, columns=columns, kinds={c.name: _kind(c) for c in table.columns},
            unique_keys=_unique_keys(table), foreign_keys=fks,
            merge_key=getattr(cls, "__sync_merge_key__", None) or MERGE_KEYS.get(table.name),
            down=bool(getattr(cls, "__sync_down__", False)) or table.name in DOWNSTREAM,
            route=getattr(cls, "__sync_route__", None) or ROUTES.get(table.name),
            nullable={c.name: bool(c.nullable) for c in table.columns},
        )
    return specs


@lru_cache(maxsize=4)
def raw_change_log(dialect: str) -> sa.Table:
    """``change_log`` with raw types (ids compared in the driver's form)."""
    kinds = {"seq": "int", "record_id": "uuid", "version": "int", "changed_at": "datetime"}
    make = (lambda k: NullType()) if dialect == "sqlite" else _pg_raw_type  # noqa: E731
    return sa.Table("change_log", sa.MetaData(), *[sa.Column(c, make(k)) for c, k in kinds.items()])


def synced_specs() -> list[TableSpec]:
    """Every synced table, parents before children."""
    return list(_specs().values())


def spec(name: str) -> TableSpec | None:
    return _specs().get(name)


def table_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(_specs())}


def row_to_payload(ts: TableSpec, native_row: Any) -> dict[str, Any]:
    """A row read through ``ts.raw(dialect)`` -> its JSON-able payload."""
    out: dict[str, Any] = {}
    for (name, conv), value in zip(ts.to_payload(), native_row, strict=True):
        out[name] = value if value is None or conv is None else conv(value)
    return out


def payload_to_native(converters: list[tuple[str, Converter | None]], row: dict[str, Any],
                      defaults: dict[str, Any]) -> tuple:
    """One incoming payload row -> a tuple in column order (ValueError on a bad value)."""
    out = []
    for name, conv in converters:
        value = row[name] if name in row else defaults.get(name)
        out.append(value if value is None or conv is None else conv(value))
    return tuple(out)


def column_defaults(ts: TableSpec, dialect: str) -> dict[str, Any]:
    """Values for columns a bundle from an older schema does not carry (native form)."""
    conv = dict(ts.to_native(dialect))
    out: dict[str, Any] = {}
    for col in ts.table.columns:
        default = col.default
        value = None
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            try:
                value = default.arg(None)
            except TypeError:
                value = default.arg()
        if value is not None:
            payload = _TO_PAYLOAD.get(ts.kinds[col.name])
            value = payload(value) if payload and not isinstance(value, (list, dict)) else value
            c = conv[col.name]
            value = c(value) if c else value
        out[col.name] = value
    return out
