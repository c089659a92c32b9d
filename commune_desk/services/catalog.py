"""The procedure catalog: the shipped list, browsing, editing, CSV/XLSX import and export.

File format (one row per procedure, README "Administrator"): the columns of ``COLUMNS``;
``documents`` and ``fees`` hold one item per line, parts separated by ``|`` (see
``domain.catalog.format_documents``). Missing optional columns keep what the office has.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commune_desk.domain.catalog import (
    KNOWN_FIELDS,
    ProcedureSpec,
    canonical_field,
    format_documents,
    format_fees,
    parse_documents,
    parse_fees,
    spec_from_shipped,
    spec_problems,
)
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold, normalize
from commune_desk.errors import NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.paths import resource
from commune_desk.services import tabular
from commune_desk.services.context import Ctx
from commune_desk.store.models import Procedure

COLUMNS = ("code", "name", "field", "level", "time_kind", "time_value", "cutoff_next_day", "returns_on_spot",
           "fees", "documents", "result", "legal_basis", "online", "note", "active")
REQUIRED_COLUMNS = ("code", "name", "field", "time_kind")
_SPEC_FIELDS = tuple(f.name for f in fields(ProcedureSpec))


@dataclass
class ProcedureInfo(ProcedureSpec):
    """A catalog record as plain data (safe to hand to widgets and other threads)."""

    id: uuid.UUID | None = None

    def spec(self) -> ProcedureSpec:
        return ProcedureSpec(**{name: getattr(self, name) for name in _SPEC_FIELDS})


def _info(row: Procedure) -> ProcedureInfo:
    values = {name: getattr(row, name) for name in _SPEC_FIELDS}
    values["fees"] = [dict(f) for f in row.fees or []]
    values["documents"] = [dict(d) for d in row.documents or []]
    return ProcedureInfo(id=row.id, **values)


# -- the shipped catalog --------------------------------------------------------------
def shipped_specs() -> list[ProcedureSpec]:
    with resource("catalog", "procedures.json").open(encoding="utf-8") as fh:
        return [spec_from_shipped(e) for e in json.load(fh)]


def apply_spec(row: Procedure, spec: ProcedureSpec, only: set[str] | None = None) -> None:
    """Copy ``spec`` onto ``row`` (only the attributes named in ``only`` when given)."""
    for name in _SPEC_FIELDS:
        if only is None or name in only:
            setattr(row, name, getattr(spec, name))
    row.name_folded = spec.name_folded if only is None or "name" in only else fold(row.name)


def upsert_specs(session: Session, specs: list[ProcedureSpec]) -> tuple[int, int]:
    """Insert or update by national code. Returns (created, updated)."""
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    created = updated = 0
    for spec in specs:
        row = existing.get(spec.code)
        if row is None:
            row = Procedure()
            session.add(row)
            created += 1
        else:
            updated += 1
        apply_spec(row, spec)
    session.flush()
    return created, updated


def seed_shipped_catalog(session: Session) -> int:
    created, _updated = upsert_specs(session, shipped_specs())
    return created


# -- browsing ------------------------------------------------------------------------
def list_procedures(ctx: Ctx, text: str = "", *, field: str | None = None,
                    include_inactive: bool = True) -> list[ProcedureInfo]:
    """The catalog, filtered by a folded name fragment or a code prefix (public information:
    every signed-in role may read it)."""
    with ctx.db.read() as s:
        q = select(Procedure).order_by(Procedure.field, Procedure.code)
        needle = fold(text)
        if needle:
            q = q.where(or_(Procedure.name_folded.contains(needle, autoescape=True),
                            Procedure.code.startswith(text.strip(), autoescape=True)))
        if field:
            q = q.where(Procedure.field == field)
        if not include_inactive:
            q = q.where(Procedure.active.is_(True))
        return [_info(r) for r in s.scalars(q)]


def get_procedure(ctx: Ctx, key: uuid.UUID | str) -> ProcedureInfo:
    """One procedure by id or national code."""
    with ctx.db.read() as s:
        row = s.get(Procedure, key) if isinstance(key, uuid.UUID) else \
            s.scalar(select(Procedure).where(Procedure.code == str(key).strip()))
        if row is None:
            raise NotFound(_("Không tìm thấy thủ tục {key}.").format(key=key))
        return _info(row)


def known_fields(ctx: Ctx) -> list[str]:
    """The fields an import may use: the national list and those the office already has."""
    with ctx.db.read() as s:
        return _known_fields(s)


def _known_fields(s: Session) -> list[str]:
    mine = [f for f in s.scalars(select(Procedure.field).distinct()) if f]
    return sorted(set(mine) | set(KNOWN_FIELDS), key=fold)


# -- editing -------------------------------------------------------------------------
def _clean(spec: ProcedureSpec) -> ProcedureSpec:
    return replace(spec, code=(spec.code or "").strip(), name=normalize(spec.name), field=normalize(spec.field),
                   level=normalize(spec.level) or "Cấp xã", result=normalize(spec.result) or None,
                   legal_basis=normalize(spec.legal_basis) or None, online=normalize(spec.online) or None,
                   note=(spec.note or "").strip() or None,
                   time_value=None if spec.time_kind == "same_day" else spec.time_value)


def save_procedure(ctx: Ctx, spec: ProcedureSpec, procedure_id: uuid.UUID | None = None) -> ProcedureInfo:
    """Create (no id) or change a procedure. Needs the catalog-editing permission."""
    ctx.require(Perm.CATALOG_EDIT)
    spec = _clean(spec)
    problems = spec_problems(spec)
    if problems:
        field, message = problems[0]
        raise ValidationError(message[:1].upper() + message[1:] + ".", field=field,
                              errors=[(f, m) for f, m in problems])
    with ctx.db.write() as s:
        clash = s.scalar(select(Procedure).where(Procedure.code == spec.code))
        if procedure_id is None:
            if clash is not None:
                raise ValidationError(_("Mã thủ tục {code} đã có trong danh mục.").format(code=spec.code),
                                      field="code")
            row = Procedure()
            s.add(row)
        else:
            row = s.get(Procedure, procedure_id)
            if row is None:
                raise NotFound(_("Không tìm thấy thủ tục {key}.").format(key=procedure_id))
            if clash is not None and clash.id != row.id:
                raise ValidationError(_("Mã thủ tục {code} đã có trong danh mục.").format(code=spec.code),
                                      field="code")
        apply_spec(row, spec)
        s.flush()
        return _info(row)


def set_active(ctx: Ctx, procedure_id: uuid.UUID, active: bool) -> ProcedureInfo:
    """Stop (or resume) receiving a procedure; its past dossiers keep pointing at it."""
    ctx.require(Perm.CATALOG_EDIT)
    with ctx.db.write() as s:
        row = s.get(Procedure, procedure_id)
        if row is None:
            raise NotFound(_("Không tìm thấy thủ tục {key}.").format(key=procedure_id))
        row.active = active
        s.flush()
        return _info(row)


# -- files ---------------------------------------------------------------------------
def _row_values(spec: ProcedureSpec) -> list[Any]:
    return [spec.code, spec.name, spec.field, spec.level, spec.time_kind,
            "" if spec.time_value is None else spec.time_value,
            "có" if spec.cutoff_next_day else "không", "có" if spec.returns_on_spot else "không",
            format_fees(spec.fees), format_documents(spec.documents), spec.result or "",
            spec.legal_basis or "", spec.online or "", spec.note or "", "có" if spec.active else "không"]


def export_file(ctx: Ctx, path: Path) -> int:
    """Write the whole catalog to CSV or XLSX; returns the number of procedures."""
    procedures = list_procedures(ctx)
    tabular.write_table(Path(path), COLUMNS, [_row_values(p) for p in procedures])
    return len(procedures)


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _parse_row(cells: dict[str, str], known: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The values a row gives (only its columns) and its problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    code = cells.get("code", "").strip()
    values["code"] = code
    values["name"] = normalize(cells.get("name"))
    raw_field = normalize(cells.get("field"))
    canonical = canonical_field(raw_field, known) if raw_field else None
    if raw_field and canonical is None:
        problems.append(_("lĩnh vực '{field}' không có trong danh sách lĩnh vực (thêm lĩnh vực mới bằng cửa sổ "
                          "Danh mục thủ tục trước khi nhập)").format(field=raw_field))
    values["field"] = canonical or raw_field
    kind = cells.get("time_kind", "").strip().lower()
    values["time_kind"] = kind
    if "time_value" in cells:
        text = cells["time_value"].strip()
        number = tabular.parse_int(text)
        if text and number is None:
            problems.append(_("thời hạn '{value}' không phải số nguyên").format(value=text))
        values["time_value"] = number
    for name in ("cutoff_next_day", "returns_on_spot", "active"):
        if name in cells:
            text = cells[name].strip()
            flag = True if name == "active" and not text else tabular.parse_bool(text)
            if flag is None:
                problems.append(_("cột {col}: '{value}' phải là 'có' hoặc 'không'").format(col=name, value=text))
            values[name] = bool(flag)
    if "documents" in cells:
        values["documents"], doc_problems = parse_documents(cells["documents"])
        problems.extend(doc_problems)
    if "fees" in cells:
        values["fees"], fee_problems = parse_fees(cells["fees"])
        problems.extend(fee_problems)
    for name in ("level", "result", "legal_basis", "online", "note"):
        if name in cells:
            values[name] = cells[name].strip() or None
    return values, problems


def parse_file(path: Path, known: list[str]) -> list[dict[str, Any]]:
    """Check a catalog file; every bad row is named in one ValidationError."""
    table = tabular.read_table(Path(path))
    problems = tabular.header_problems(table, required=REQUIRED_COLUMNS, allowed=COLUMNS)
    if problems and problems[0][0] == tabular.HEADER_ROW:
        tabular.raise_problems(problems)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        values, row_problems = _parse_row(cells, known)
        probe = ProcedureSpec(**{k: v for k, v in values.items() if k in _SPEC_FIELDS})
        # documents and fees were checked cell by cell above, with clearer messages
        row_problems.extend(m for f, m in spec_problems(probe) if f not in ("documents", "fees"))
        if values["code"] in seen:
            row_problems.append(_("mã {code} trùng với dòng {other}").format(code=values["code"],
                                                                             other=seen[values["code"]]))
        if row_problems:
            problems.append((number, "; ".join(dict.fromkeys(row_problems))))
            continue
        seen[values["code"]] = number
        out.append(values)
    tabular.raise_problems(problems)
    return out


def import_file(ctx: Ctx, path: Path) -> ImportSummary:
    """Add or update procedures from CSV/XLSX by national code. Any bad row: nothing written."""
    ctx.require(Perm.CATALOG_EDIT)
    rows = parse_file(Path(path), known_fields(ctx))   # every check before the transaction opens
    created = updated = unchanged = 0
    with ctx.db.write() as s:
        existing = {p.code: p for p in s.scalars(select(Procedure))}
        for values in rows:
            row = existing.get(values["code"])
            if row is None:
                spec = _clean(ProcedureSpec(**{k: v for k, v in values.items() if k in _SPEC_FIELDS}))
                row = Procedure()
                s.add(row)
                apply_spec(row, spec)
                created += 1
                continue
            current = _info(row).spec()
            spec = _clean(replace(current, **{k: v for k, v in values.items() if k in _SPEC_FIELDS}))
            if spec == _clean(current):
                unchanged += 1
                continue
            apply_spec(row, spec)
            updated += 1
        s.flush()
    return ImportSummary(created, updated, unchanged)
