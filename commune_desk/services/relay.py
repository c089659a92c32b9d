"""Dossiers received at one office for another commune of the province (Decree 118/2025:
reception no longer depends on where the citizen lives; FACTS.md, location-independent
receipt). The receiving office keeps the dossier (its code, its book); the hub relays it to
the competent commune named in ``dossier.competent_office_code``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commune_desk.domain import units
from commune_desk.domain.calendar import to_local
from commune_desk.domain.lifecycle import Action, action_label
from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.services import lifecycle
from commune_desk.services.context import Database, OfficeInfo
from commune_desk.store.base import utcnow
from commune_desk.store.changes import outbox_row, write_outbox
from commune_desk.store.models import Dossier, DossierEvent, Procedure
from commune_desk.store.models.sync import SyncConflict
from commune_desk.sync.importer import Result

CHUNK = 500


def clean_code(code: str | None) -> str:
    return (code or "").strip()


def other_communes(office: OfficeInfo) -> list[units.Unit]:
    """The communes of this office's province other than itself (the choices at intake)."""
    if not office.province_code:
        return []
    return [u for u in units.communes() if u.province_code == office.province_code and u.code != office.office_code]


def competent_office_problem(office: OfficeInfo, code: str | None) -> str | None:
    """Why ``code`` cannot be the competent commune of a dossier received here, or None
    (an empty code means this office itself)."""
    code = clean_code(code)
    if not code:
        return None
    if code == office.office_code:
        return _("Xã/phường giải quyết là chính đơn vị này: hãy để trống ô này.")
    unit = units.find_commune(code) if units.COMMUNE_CODE.match(code) else None
    if unit is None:
        return _("Không có xã/phường mã {code} trong danh mục đơn vị hành chính.").format(code=code)
    if office.province_code and unit.province_code != office.province_code:
        return _("{name} ({code}) thuộc {province}, không cùng tỉnh với đơn vị này: chỉ nhận hồ sơ của các "
                 "xã/phường trong tỉnh.").format(name=unit.name, code=code, province=unit.province_name)
    return None


def commune_label(code: str | None) -> str:
    """``Xã Thuận Hoà (00922)``, or the bare code when the list does not know it."""
    code = clean_code(code)
    unit = units.find_commune(code) if code else None
    return f"{unit.name} ({code})" if unit else code


def relay_line(office: OfficeInfo, owner_code: str, competent_code: str | None) -> tuple[str, str]:
    """What the dossier view says about a dossier received for, or at, another commune:
    ("Nhận hộ cho", "Xã Thuận Hoà (00922)") at the receiving office, ("Nhận tại", "Xã Minh
    Tân (00919)") at the competent commune; ("", "") for an ordinary dossier."""
    competent = clean_code(competent_code)
    if not competent or competent == owner_code:
        return "", ""
    if owner_code == office.office_code:
        return _("Nhận hộ cho"), commune_label(competent)
    return _("Nhận tại"), commune_label(owner_code)


# -- the competent commune's steps, back at the office that received the dossier ----------
def apply_foreign_steps(db: Database, s: Session, result: Result, *, peer_id: int,
                        incoming_id: int | None) -> int:
    """Apply to this office's own dossiers the steps another office took on them (the
    competent commune's events, relayed down by the hub), inside the import's transaction,
    so the receiving office sees the progress and returns the result itself (the result
    comes back to the office that received the dossier). Only the events this bundle
    inserted are applied (the same bundle again, or a copy, changes nothing), per dossier
    in order of time then id. A step that is illegal from the local state stays in the
    history, changes nothing, and goes to the import summary and the review list. The
    changed rows are this office's, so they travel up as usual. Returns dossiers updated."""
    office = db.require_office()
    ids = [uuid.UUID(i) for i in result.new_foreign_events]
    by_dossier: dict[uuid.UUID, list[DossierEvent]] = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        for ev in s.scalars(select(DossierEvent).where(DossierEvent.id.in_(ids[i:i + CHUNK]))):
            by_dossier[ev.dossier_id].append(ev)
    keys = list(by_dossier)
    dossiers: list[Dossier] = []
    for i in range(0, len(keys), CHUNK):
        dossiers.extend(s.scalars(select(Dossier).where(Dossier.id.in_(keys[i:i + CHUNK]),
                                                        Dossier.office_code == office.office_code)))
    now = utcnow()
    outbox, notes = [], []
    for d in sorted(dossiers, key=lambda x: x.code):
        steps = sorted(by_dossier[d.id], key=lambda e: (e.at, e.id))
        fresh = {e.id for e in steps}
        state = lifecycle.state_of(d, [e for e in lifecycle.events_of(s, d.id) if e.id not in fresh])
        env = lifecycle.flow_env(db, s, s.get(Procedure, d.procedure_id))
        changed = False
        for ev in steps:
            if ev.kind not in Action.__members__.values() or ev.kind == Action.RATE:
                continue  # not a lifecycle step (a receipt, a rating): history only
            try:
                state = lifecycle.replay_step(state, ev.kind, ev.at, dict(ev.data or {}), env)
            except ValidationError as exc:
                notes.append(_step_note(d, ev, exc.args[0] if exc.args else str(exc)))
                continue
            changed = True
        if changed:
            lifecycle._write_back(d, state)
            d.version = (d.version or 0) + 1
            d.updated_at = now
            outbox.append(outbox_row(d, "upsert", d.version, now))
    s.flush()
    write_outbox(s.connection(), outbox)
    for note, local, incoming in notes:
        result.conflicts.append(note)
        s.add(SyncConflict(peer_id=peer_id, incoming_id=incoming_id, entity="dossier_event",
                           record_id=note["record_id"], kind=note["kind"], reason=note["reason"],
                           local_row=local, incoming_row=incoming, detected_at=now, status="open"))
    return len(outbox)


def _step_note(d: Dossier, ev: DossierEvent, why: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    reason = _("Bước \"{step}\" của {office} lúc {when} không áp dụng được cho hồ sơ {code}: {why} Bước vẫn có "
               "trong lịch sử; trạng thái hồ sơ giữ nguyên.").format(
        step=action_label(ev.kind), office=commune_label(ev.office_code),
        when=to_local(ev.at).strftime("%H:%M %d/%m/%Y"), code=d.code, why=why)
    note = {"entity": "dossier_event", "record_id": str(ev.id), "kind": "relay_step", "reason": reason}
    local = {"id": str(d.id), "code": d.code, "status": d.status}
    incoming = {"id": str(ev.id), "kind": ev.kind, "at": ev.at.isoformat(), "from_status": ev.from_status,
                "to_status": ev.to_status, "office_code": ev.office_code}
    return note, local, incoming
