"""Helpers for the dossier list and search tests: dossiers written as the desk writes them."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from commune_desk.domain.text import fold
from commune_desk.store.models import Dossier, DossierEvent, Procedure

UTC = dt.UTC
_BOOK = itertools.count(900001)


def add_dossier(db, *, name: str, code: str, id_number: str | None = None, phone: str | None = None,
                status: str = "processing", received: dt.datetime | None = None, due: object = "3 days",
                procedure_code: str = "2.000815", book_number: int | None = None) -> Dossier:
    """One dossier with its "received" event, through the ORM (so the search triggers fire)."""
    received = received or dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    with db.write() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == procedure_code))
        if book_number is None:
            book_number = next(_BOOK)
        d = Dossier(code=code, book_year=received.year, book_number=book_number, procedure_id=proc.id,
                    procedure_code=proc.code, procedure_name=proc.name, field=proc.field, applicant_name=name,
                    applicant_folded=fold(name), applicant_id_number=id_number, applicant_phone=phone,
                    applicant_address="Thôn Tân Lập, Xã Minh Tân", received_at=received,
                    due_at=received + dt.timedelta(days=3) if due == "3 days" else due,
                    original_due_at=None, status=status, documents=[])
        s.add(d)
        s.flush()
        s.add(DossierEvent(dossier_id=d.id, kind="received", at=received, actor_name="Trần Thị Mai",
                           to_status="received", data={"code": code}))
        s.flush()
        s.expunge(d)
    return d
