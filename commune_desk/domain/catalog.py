"""Procedure catalog rules: how a shipped or imported entry becomes a catalog record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from commune_desk.domain.text import fold, normalize

CODE_RE = re.compile(r"^\d\.\d{6}$")
DOC_FORMS = ("bản chính", "bản sao", "xuất trình")
TIME_KINDS = ("working_days", "same_day", "calendar_days")


@dataclass
class ProcedureSpec:
    """A procedure as the domain sees it (no database)."""

    code: str
    name: str
    field: str
    level: str = "Cấp xã"
    time_kind: str = "working_days"
    time_value: int | None = None
    cutoff_next_day: bool = False
    returns_on_spot: bool = False
    fees: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    result: str | None = None
    legal_basis: str | None = None
    online: str | None = None
    note: str | None = None

    @property
    def name_folded(self) -> str:
        return fold(self.name)

    @property
    def fee_total_known(self) -> int:
        return sum(f["amount_vnd"] for f in self.fees if f.get("amount_vnd") is not None)


def spec_from_shipped(entry: dict[str, Any]) -> ProcedureSpec:
    """Convert one entry of resources/catalog/procedures.json (the team's dataset)."""
    proc = entry.get("processing") or {}
    if proc.get("same_day"):
        kind, value = "same_day", None
    elif proc.get("calendar_days"):
        kind, value = "calendar_days", int(proc["calendar_days"])
    else:
        kind, value = "working_days", proc.get("working_days")
    return ProcedureSpec(
        code=entry["code"].strip(),
        name=normalize(entry["name"]),
        field=normalize(entry["field"]),
        level=entry.get("level") or "Cấp xã",
        time_kind=kind,
        time_value=value,
        cutoff_next_day=bool(proc.get("after_15h_next_day")),
        returns_on_spot=bool(proc.get("same_day")),
        fees=[{"name": f.get("name", ""), "amount_vnd": f.get("amount_vnd"), "note": f.get("note")}
              for f in entry.get("fees") or []],
        documents=[{"name": d["name"], "form": d.get("form", "bản chính"), "count": int(d.get("count") or 1),
                    "required": bool(d.get("required", True)), "note": d.get("note")}
                   for d in entry.get("documents") or []],
        result=entry.get("result"),
        legal_basis=entry.get("legal_basis"),
        online=entry.get("online"),
        note=proc.get("note"),
    )
