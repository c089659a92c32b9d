"""The procedure catalog: the shipped list, browsing, editing, CSV/XLSX import and export."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from commune_desk.domain.catalog import ProcedureSpec, spec_from_shipped
from commune_desk.paths import resource
from commune_desk.store.models import Procedure


def shipped_specs() -> list[ProcedureSpec]:
    with resource("catalog", "procedures.json").open(encoding="utf-8") as fh:
        return [spec_from_shipped(e) for e in json.load(fh)]


def apply_spec(row: Procedure, spec: ProcedureSpec) -> None:
    for name in ("code", "name", "field", "level", "time_kind", "time_value", "cutoff_next_day",
                 "returns_on_spot", "fees", "documents", "result", "legal_basis", "online", "note"):
        setattr(row, name, getattr(spec, name))
    row.name_folded = spec.name_folded


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
