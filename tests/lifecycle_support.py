"""Dossiers for the lifecycle tests, inserted straight into the tables (with the desk's
"received" event), so these tests depend only on the stored model, not on the intake form."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, text

from commune_desk.domain.calendar import to_utc
from commune_desk.domain.text import fold
from commune_desk.services.calendar import appointment_for
from commune_desk.services.context import Database
from commune_desk.store.models import Dossier, DossierEvent, Procedure

GUARDIANSHIP = "1.004837"   # Đăng ký giám hộ: 3 working days


def local(*args) -> datetime:
    """Aware UTC from a Vietnamese local time."""
    return to_utc(datetime(*args))


def make_dossier(db: Database, received: datetime, *, procedure_code: str = GUARDIANSHIP,
                 applicant: str = "Nguyễn Văn An", rules_set: str = "2025",
                 receiver: str = "Lê Thị Tiếp", id_number: str = "001090012345") -> uuid.UUID:
    office = db.require_office()
    with db.write() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == procedure_code))
        due = appointment_for(db, proc, received, session=s)
        year = received.year
        number = (s.scalar(select(func.max(Dossier.book_number)).where(Dossier.book_year == year)) or 0) + 1
        code = f"{office.unit_id}-{received:%y%m%d}-{number:04d}"
        d = Dossier(code=code, book_year=year, book_number=number, rules_set=rules_set, procedure_id=proc.id,
                    procedure_code=proc.code, procedure_name=proc.name, field=proc.field,
                    applicant_name=applicant, applicant_folded=fold(applicant), applicant_id_number=id_number,
                    applicant_phone="0912345678", applicant_address="Thôn Đồng Tâm, xã Minh Tân",
                    documents=[{"name": doc["name"], "form": doc.get("form", "bản chính"), "count": 1}
                               for doc in proc.documents[:3]],
                    sets_count=1, channel="counter", fee_vnd=0, received_at=received, due_at=due,
                    original_due_at=due, status="received", receiver_name=receiver)
        s.add(d)
        s.flush()
        s.add(DossierEvent(dossier_id=d.id, kind="received", at=received, actor_name=receiver,
                           to_status="received", data={"code": code}))
        return d.id


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of the tables a lifecycle step may touch (to prove nothing changed)."""
    out = {}
    with db.engine.connect() as conn:
        for table in ("dossier", "dossier_event", "rating", "change_log"):
            out[table] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
    return out
