"""The lifecycle service on a real database: one transaction per step, its event, the
dossier's columns in step, and bad input that changes nothing at all."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from lifecycle_support import local, make_dossier, snapshot
from sqlalchemy import select

from commune_desk.domain.calendar import to_local
from commune_desk.errors import NotFound, PermissionDenied, ValidationError
from commune_desk.services import lifecycle as lc
from commune_desk.store.models import ChangeLog, Dossier, DossierEvent

FRIDAY_1530 = local(2026, 2, 13, 15, 30)


def dossier(db, dossier_id) -> Dossier:
    with db.read() as s:
        return s.get(Dossier, dossier_id)


def events(db, dossier_id) -> list[DossierEvent]:
    with db.read() as s:
        return list(s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
                              .order_by(DossierEvent.at)))


@pytest.fixture
def tet_dossier(db):
    """Received Friday 13 Feb 2026 15:30, 3 working days; the office's 2026 table has Tết 14–22 Feb."""
    return make_dossier(db, FRIDAY_1530)


def test_tet_dossier_with_a_supplement_from_receipt_to_return(clerk_ctx, db, tet_dossier):
    d = dossier(db, tet_dossier)
    assert to_local(d.due_at) == datetime(2026, 2, 25, 17, 0)
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", note="Thẩm định", at=local(2026, 2, 23, 8, 0))
    step = lc.request_supplement(clerk_ctx, tet_dossier, items=["Văn bản cử người giám hộ có chứng thực"],
                                 reason="Văn bản cử người giám hộ chưa chứng thực", contact_name="Hoàng Văn Hộ",
                                 contact_phone="0207 3812 345", at=local(2026, 2, 24, 10, 0))
    assert step.status == "supplement_requested" and step.form_kind == "supplement"
    d = dossier(db, tet_dossier)
    assert (d.supplement_count, d.supplement_requested_at) == (1, local(2026, 2, 24, 10, 0))
    lc.receive_supplement(clerk_ctx, tet_dossier, documents=["Văn bản cử người giám hộ (bản chứng thực)"],
                          at=local(2026, 2, 28, 10, 0))
    with pytest.raises(ValidationError, match="1 lần"):   # a second supplement request is refused
        lc.request_supplement(clerk_ctx, tet_dossier, items=["x"], reason="y", at=local(2026, 3, 2, 10, 0))
    d = dossier(db, tet_dossier)
    assert d.status == "processing"
    assert d.supplement_paused_seconds == 4 * 86400
    assert to_local(d.due_at) == datetime(2026, 3, 5, 17, 0)           # restarted from zero
    assert to_local(d.original_due_at) == datetime(2026, 2, 25, 17, 0)  # the first promise is kept
    lc.result_ready(clerk_ctx, tet_dossier, result_number="05/QĐ-UBND", signer_name="Trần Văn Chủ",
                    signer_title="Chủ tịch", at=local(2026, 3, 5, 9, 0))
    d = dossier(db, tet_dossier)
    assert (d.status, d.outcome) == ("result_ready", "on_time")
    assert d.finished_at == d.result_ready_at == local(2026, 3, 5, 9, 0)
    lc.return_result(clerk_ctx, tet_dossier, received_by="Nguyễn Văn An", at=local(2026, 3, 5, 15, 0))
    d = dossier(db, tet_dossier)
    assert (d.status, d.returned_at, d.finished_at) == ("returned", local(2026, 3, 5, 15, 0), local(2026, 3, 5, 9, 0))
    kinds = [(e.kind, e.from_status, e.to_status) for e in events(db, tet_dossier)]
    assert kinds == [("received", None, "received"), ("assign", "received", "processing"),
                     ("request_supplement", "processing", "supplement_requested"),
                     ("receive_supplement", "supplement_requested", "processing"),
                     ("result_ready", "processing", "result_ready"), ("return_result", "result_ready", "returned")]
    ev = {e.kind: e for e in events(db, tet_dossier)}
    assert ev["assign"].actor_name == clerk_ctx.actor.full_name
    assert ev["assign"].data["to_name"] == "Hoàng Văn Hộ"
    assert ev["request_supplement"].data["items"] == ["Văn bản cử người giám hộ có chứng thực"]
    assert ev["request_supplement"].data["notice_late"] is False
    assert ev["receive_supplement"].data["paused_seconds"] == 4 * 86400
    assert ev["result_ready"].data["result_number"] == "05/QĐ-UBND"
    assert ev["result_ready"].data["outcome"] == "on_time"
    # each holder's turn: the desk forwarded on the first working day after Tết (received after
    # 15:00 on Friday): on time; the handler's deadline followed the restarted appointment
    assert ev["assign"].data["step_outcome"] == "on_time"
    assert ev["result_ready"].data["step_outcome"] == "on_time"
    assert ev["return_result"].data["received_by"] == "Nguyễn Văn An"


def test_each_step_is_one_transaction_with_its_change_log(clerk_ctx, db, tet_dossier):
    with db.read() as s:
        before = s.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()))
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    with db.read() as s:
        rows = s.execute(select(ChangeLog.entity, ChangeLog.record_id).where(ChangeLog.seq > before)).all()
    mine = sorted(r.entity for r in rows if r.entity in ("dossier", "dossier_event"))
    assert mine == ["dossier", "dossier_event"]   # (the audit trail adds its own entry)


def test_a_transfer_to_another_agency_records_the_step_deadline(clerk_ctx, db, tet_dossier):
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    lc.assign(clerk_ctx, tet_dossier, to_name="Phòng Tư pháp", to_agency="Sở Tư pháp tỉnh Tuyên Quang",
              deadline=date(2026, 2, 24), at=local(2026, 2, 23, 14, 0))
    d = dossier(db, tet_dossier)
    assert (d.handler_name, d.handler_id) == ("Phòng Tư pháp", None)
    last = events(db, tet_dossier)[-1]
    assert last.data["from_name"] == "Hoàng Văn Hộ"
    assert last.data["to_agency"] == "Sở Tư pháp tỉnh Tuyên Quang"
    assert to_local(datetime.fromisoformat(last.data["deadline"])) == datetime(2026, 2, 24, 17, 0)
    assert last.data["step_outcome"] == "early"       # the handler passed it on before 25 Feb
    lc.result_ready(clerk_ctx, tet_dossier, result_number="9/STP", signer_name="Giám đốc Sở",
                    from_agency="Sở Tư pháp tỉnh Tuyên Quang", at=local(2026, 2, 25, 10, 0))
    back = events(db, tet_dossier)[-1]
    assert back.data["step_outcome"] == "late"        # the province's own deadline was 24 Feb
    assert back.data["outcome"] == "on_time"          # the dossier itself was ready on its day


def test_apology_on_the_due_day_refused_the_day_before_accepted(clerk_ctx, db, tet_dossier):
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    before = snapshot(db)
    with pytest.raises(ValidationError, match="24/02/2026"):
        lc.extend(clerk_ctx, tet_dossier, reason="Cần xác minh", new_due=date(2026, 3, 3), signer_name="Trần Văn Chủ",
                  at=local(2026, 2, 25, 8, 0))
    assert snapshot(db) == before
    lc.extend(clerk_ctx, tet_dossier, reason="Cần xác minh thêm tại nơi cư trú", new_due=date(2026, 3, 3),
              signer_name="Trần Văn Chủ", signer_title="Chủ tịch", at=local(2026, 2, 24, 16, 0))
    d = dossier(db, tet_dossier)
    assert (to_local(d.due_at), d.extension_count) == (datetime(2026, 3, 3, 17, 0), 1)


@pytest.mark.parametrize("case", ["refusal_without_reason", "new_appointment_before_today", "second_extension",
                                  "return_before_result", "unknown_handler"])
def test_bad_input_gives_a_clear_message_and_changes_nothing(clerk_ctx, db, tet_dossier, case):
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    if case == "second_extension":
        lc.extend(clerk_ctx, tet_dossier, reason="Xác minh", new_due=date(2026, 3, 3), signer_name="Chủ tịch",
                  at=local(2026, 2, 23, 9, 0))
    before = snapshot(db)
    calls = {
        "refusal_without_reason": (lambda: lc.refuse(clerk_ctx, tet_dossier, reason="  "), "Lý do"),
        "new_appointment_before_today": (lambda: lc.extend(
            clerk_ctx, tet_dossier, reason="Xác minh", new_due=date(2026, 2, 20), signer_name="Chủ tịch",
            at=local(2026, 2, 23, 9, 0)), "không được trước hôm nay"),
        "second_extension": (lambda: lc.extend(
            clerk_ctx, tet_dossier, reason="Lần nữa", new_due=date(2026, 3, 10), signer_name="Chủ tịch",
            at=local(2026, 2, 24, 9, 0)), "1 lần"),
        "return_before_result": (lambda: lc.return_result(clerk_ctx, tet_dossier, received_by="Nguyễn Văn An"),
                                 "chưa có kết quả"),
        "unknown_handler": (lambda: lc.assign(clerk_ctx, tet_dossier, to_name="X",
                                              to_id="01890000-0000-7000-8000-000000000000"), "Người nhận"),
    }
    call, message = calls[case]
    with pytest.raises(ValidationError, match=message):
        call()
    assert snapshot(db) == before


def test_supplement_left_unanswered_for_fifteen_days_is_closed(clerk_ctx, db, tet_dossier):
    lc.assign(clerk_ctx, tet_dossier, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    lc.request_supplement(clerk_ctx, tet_dossier, items=["x"], reason="thiếu", at=local(2026, 2, 24, 10, 0))
    other = make_dossier(db, local(2026, 3, 2, 9, 0), applicant="Phạm Thị Bình")
    assert lc.close_unanswered_supplements(clerk_ctx, now=local(2026, 3, 11, 20, 0)) == []
    closed = lc.close_unanswered_supplements(clerk_ctx, now=local(2026, 3, 12, 7, 0))
    d = dossier(db, tet_dossier)
    assert closed == [d.code]
    assert (d.status, d.finished_at, d.outcome) == ("closed", local(2026, 3, 12, 7, 0), "early")
    last = events(db, tet_dossier)[-1]
    assert (last.kind, last.actor_id) == ("close", None)
    assert "tự động" in last.actor_name
    assert dossier(db, other).status == "received"
    assert lc.close_unanswered_supplements(clerk_ctx, now=local(2026, 3, 13, 7, 0)) == []
    with pytest.raises(ValidationError):
        lc.perform(clerk_ctx, other, "close")


def test_withdrawal_and_stop(clerk_ctx, db, tet_dossier):
    lc.request_withdrawal(clerk_ctx, tet_dossier, request="Xin rút hồ sơ để bổ sung sau", at=local(2026, 2, 23, 8, 0))
    lc.cancel_withdrawal(clerk_ctx, tet_dossier, at=local(2026, 2, 23, 9, 0))
    assert dossier(db, tet_dossier).status == "received"
    lc.stop(clerk_ctx, tet_dossier, reason="Công dân có đơn đề nghị dừng giải quyết", request_date=date(2026, 2, 23),
            signer_name="Trần Văn Chủ", at=local(2026, 2, 23, 10, 0))
    d = dossier(db, tet_dossier)
    assert (d.status, d.outcome) == ("stopped", "early")


def test_roles_and_unknown_dossiers(trainer_ctx, clerk_ctx, tet_dossier):
    with pytest.raises(PermissionDenied):
        lc.assign(trainer_ctx, tet_dossier, to_name="A")
    with pytest.raises(NotFound):
        lc.assign(clerk_ctx, "000.00.19.H56-260213-9999", to_name="A")
    # a dossier can be named by its code too
    assert lc.card(clerk_ctx, lc.card(clerk_ctx, tet_dossier).code).id == tet_dossier


def test_a_step_dated_in_the_future_is_refused(clerk_ctx, tet_dossier):
    with pytest.raises(ValidationError, match="tương lai"):
        lc.assign(clerk_ctx, tet_dossier, to_name="A", at=datetime.now().astimezone() + timedelta(days=1))


def test_available_actions_follow_status_and_time_rules(clerk_ctx, tet_dossier):
    opts = {o.action: o for o in lc.available_actions(clerk_ctx, tet_dossier, now=local(2026, 2, 23, 8, 0))}
    assert set(opts) == {"assign", "extend", "request_withdrawal", "stop", "refuse", "rate"}
    assert opts["extend"].enabled
    late = {o.action: o for o in lc.available_actions(clerk_ctx, tet_dossier, now=local(2026, 2, 25, 8, 0))}
    assert not late["extend"].enabled and "24/02/2026" in late["extend"].reason
    assert "return_result" not in opts and "close" not in opts


def test_due_board_sorts_overdue_today_and_next_working_day(clerk_ctx, db):
    a = make_dossier(db, local(2026, 2, 9, 9, 0), applicant="Quá Hạn")            # due Thu 12 Feb
    b = make_dossier(db, local(2026, 2, 10, 9, 0), applicant="Hôm Nay")           # due Fri 13 Feb
    c = make_dossier(db, local(2026, 2, 11, 9, 0), applicant="Sau Tết")           # due Mon 23 Feb
    d = make_dossier(db, local(2026, 2, 12, 9, 0), applicant="Chưa Đến")          # due Tue 24 Feb
    lc.assign(clerk_ctx, b, to_name="Hoàng Văn Hộ", at=local(2026, 2, 11, 8, 0))
    next_day, rows = lc.due_board(clerk_ctx, now=local(2026, 2, 13, 8, 0))
    assert next_day == date(2026, 2, 23)
    got = {r.id: (r.category, r.handler_name) for r in rows}
    assert got == {a: ("overdue", None), b: ("today", "Hoàng Văn Hộ"), c: ("next", None)}
    assert d not in got
