"""Random step sequences through the service and a real database: the stored columns always
equal the pure reducer's state, refused steps leave every table byte for byte unchanged."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifecycle_support import local, make_dossier, snapshot
from sqlalchemy import select

from commune_desk.domain.lifecycle import Action
from commune_desk.domain.roles import Role
from commune_desk.errors import ValidationError
from commune_desk.paths import DB_FILENAME
from commune_desk.services import lifecycle as lc
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store.models import Dossier, DossierEvent

ACTIONS = ["assign", "assign", "request_supplement", "request_supplement", "receive_supplement", "extend", "extend",
           "result_ready", "return_result", "refuse", "stop", "request_withdrawal", "cancel_withdrawal",
           "request_obligation", "obligation_done"]


def data_for(shift: int, blank: bool) -> dict:
    if blank:
        return {"reason": "", "to_name": " ", "items": [], "received_by": ""}
    return {"to_name": "Hoàng Văn Hộ", "items": ["Giấy tờ còn thiếu"], "reason": "Lý do cụ thể",
            "description": "Nộp lệ phí trước bạ", "new_due": date(2026, 2, 25) + timedelta(days=shift),
            "signer_name": "Trần Văn Chủ", "request": "Xin rút", "result_number": "07/QĐ-UBND",
            "received_by": "Nguyễn Văn An"}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from([1, 60, 600, 1440, 4320]),
                                st.integers(min_value=-6, max_value=8), st.integers(0, 5).map(lambda n: n == 0)),
                      min_size=1, max_size=10))
def test_service_keeps_columns_in_step_and_refusals_write_nothing(commune_template, steps):
    folder = Path(tempfile.mkdtemp(prefix="lc-prop-"))
    shutil.copy(commune_template, folder / DB_FILENAME)
    db = Database.open(folder)
    try:
        ctx = Ctx(db, Actor(None, "canbo", "Lê Thị Tiếp", Role.CLERK))
        dossier_id = make_dossier(db, local(2026, 2, 13, 15, 30))
        at = local(2026, 2, 23, 7, 30)
        done = 0
        for action, minutes, shift, blank in steps:
            at = at + timedelta(minutes=minutes)
            before = snapshot(db)
            try:
                lc.perform(ctx, dossier_id, action, data_for(shift, blank), at=at)
            except ValidationError:
                assert snapshot(db) == before
                continue
            done += 1
            with db.read() as s:
                d = s.get(Dossier, dossier_id)
                evs = list(s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == d.id)
                                     .order_by(DossierEvent.at, DossierEvent.id)))
                state = lc.state_of(d, evs)
            # the stored columns are the reducer's state, re-read through the same mapping
            assert len(evs) == done + 1 and evs[-1].kind == Action(action).value and evs[-1].at == at
            assert evs[-1].to_status == d.status
            assert d.due_at >= d.original_due_at
            assert d.extension_count <= 1 and d.supplement_count <= 1
            assert (d.finished_at is None) == (d.outcome is None)
            assert state.status.value == d.status
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
