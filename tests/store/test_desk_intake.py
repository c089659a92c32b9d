"""Receiving a dossier: one transaction, codes, the tracking book, validation, drafts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from commune_desk.domain.calendar import to_local, to_utc
from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError, PermissionDenied, ValidationError
from commune_desk.services import intake
from commune_desk.services.context import Actor, Ctx
from commune_desk.store import changes
from commune_desk.store.models import ChangeLog, Dossier, DossierEvent, IntakeDraft, Office, SequenceCounter

# Friday 13 February 2026, 09:30 in Vietnam
MORNING = to_utc(dt.datetime(2026, 2, 13, 9, 30))


def make_form(ctx: Ctx, code: str = "1.004746", *, tick: bool = True, received_at=MORNING, **changes):
    proc = intake.procedure_by_code(ctx, code)
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = tick
    values = dict(procedure_code=code, name="Nguyễn Thị Đào", id_number="001190012345", dob=dt.date(1990, 5, 17),
                  phone="0912 345 678", address="Thôn Đồng Tâm, xã Minh Tân", email="dao@example.com",
                  documents=lines, fees=[intake.FeeItem(f.name, f.amount_vnd if f.amount_vnd is not None else 20000)
                                         for f in proc.fees], received_at=received_at)
    values.update(changes)
    return intake.IntakeForm(**values)


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {"dossier": s.scalar(select(func.count(Dossier.id))),
                "event": s.scalar(select(func.count(DossierEvent.id))),
                "change_log": s.scalar(select(func.count(ChangeLog.seq))),
                "counters": s.scalar(select(func.coalesce(func.sum(SequenceCounter.value), 0)))}


def test_receive_writes_dossier_event_change_log_code_and_book_entry(clerk_ctx):
    before = counts(clerk_ctx.db)
    saved = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert saved.code == "000.00.19.H56-260213-0001"
    assert (saved.book_year, saved.book_number) == (2026, 1)
    # 5 working days from Friday 13/02/2026 across Tết (16–20/02 are days off): due 17:00 on 27/02
    assert to_local(saved.due_at) == dt.datetime(2026, 2, 27, 17, 0)
    with clerk_ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == saved.code))
        assert d.status == "received" and d.procedure_code == "1.004746"
        assert d.applicant_name == "Nguyễn Thị Đào" and d.applicant_folded == "nguyen thi dao"
        assert d.applicant_phone == "0912345678" and d.applicant_id_number == "001190012345"
        assert d.fee_vnd == 20000 and d.due_at == d.original_due_at and d.received_at == MORNING
        assert d.office_code == "00919" and d.receiver_name == clerk_ctx.actor.full_name
        assert all(doc["received"] for doc in d.documents)
        events = s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == d.id)).all()
        assert [(e.kind, e.to_status) for e in events] == [("received", "received")]
        assert events[0].data["book_number"] == 1 and events[0].data["fees"][0]["amount_vnd"] == 20000
        logged = {(c.entity, c.record_id) for c in s.scalars(select(ChangeLog).where(ChangeLog.seq > 0))}
        assert ("dossier", d.id) in logged and ("dossier_event", events[0].id) in logged
    after = counts(clerk_ctx.db)
    assert after["dossier"] - before["dossier"] == 1
    assert after["change_log"] - before["change_log"] >= 2  # the dossier, its event (and the audit entry)


def test_codes_follow_the_day_and_the_book_runs_through_the_year(clerk_ctx):
    first = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    second = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    next_day = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, received_at=MORNING + dt.timedelta(days=3)))
    assert [first.code[-11:], second.code[-11:], next_day.code[-11:]] == ["260213-0001", "260213-0002",
                                                                          "260216-0001"]
    assert [first.book_number, second.book_number, next_day.book_number] == [1, 2, 3]
    new_year = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, received_at=to_utc(dt.datetime(2027, 1, 4, 8))))
    assert new_year.book_number == 1 and new_year.book_year == 2027


def test_the_code_day_is_the_local_day(clerk_ctx):
    # 23:30 UTC on the 12th is 06:30 on the 13th in Vietnam
    saved = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, received_at=dt.datetime(
        2026, 2, 12, 23, 30, tzinfo=dt.UTC)))
    assert "-260213-" in saved.code


def test_a_second_reception_point_uses_its_own_block(clerk_ctx):
    with clerk_ctx.db.write() as s:
        s.scalar(select(Office)).reception_point = 3
    clerk_ctx.db.forget_office()
    saved = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert saved.code.endswith("-260213-3001")


def test_a_code_already_in_the_database_is_skipped(clerk_ctx):
    first = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    with clerk_ctx.db.write() as s:  # a backup restored over the counters, say
        s.get(SequenceCounter, "dossier:260213").value = 0
        s.get(SequenceCounter, "book:2026").value = 0
    second = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert second.code != first.code and second.code.endswith("-0002")
    assert second.book_number == 2


def test_a_failure_after_the_insert_leaves_nothing(clerk_ctx, monkeypatch):
    intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    before = counts(clerk_ctx.db)

    real_write_outbox = changes.write_outbox

    def explode(conn, rows):
        real_write_outbox(conn, rows)  # the dossier, its event and their change-log rows are in ...
        assert conn.scalar(select(func.count(Dossier.id))) == before["dossier"] + 1
        assert conn.scalar(select(func.count(ChangeLog.seq))) > before["change_log"]
        assert conn.scalar(select(func.sum(SequenceCounter.value))) > before["counters"]
        raise RuntimeError("disk unplugged")  # ... then the save fails

    monkeypatch.setattr(changes, "write_outbox", explode)
    with pytest.raises(RuntimeError):
        intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert counts(clerk_ctx.db) == before
    monkeypatch.undo()
    again = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert again.code.endswith("-0002") and again.book_number == 2  # no number was lost


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"id_number": "00119001234"}, "id_number", "12 chữ số"),
    ({"id_number": "099190012345"}, "id_number", "099"),
    ({"phone": "09123x5678"}, "phone", "chữ số"),
    ({"dob": dt.date.today() + dt.timedelta(days=2)}, "dob", "sau ngày hôm nay"),
    ({"sets_count": 0}, "sets_count", "Số bộ"),
    ({"channel": "fax"}, "channel", "Hình thức nộp"),
])
def test_bad_input_is_refused_with_the_field_and_writes_nothing(clerk_ctx, changes, field, words):
    before = counts(clerk_ctx.db)
    with pytest.raises(ValidationError) as err:
        intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, **changes))
    assert field in dict(err.value.errors) and words in dict(err.value.errors)[field]
    assert counts(clerk_ctx.db) == before


def test_an_incomplete_checklist_cannot_be_received(clerk_ctx):
    form = make_form(clerk_ctx)
    form.documents[1].received = False  # a required copy is missing
    before = counts(clerk_ctx.db)
    with pytest.raises(ValidationError) as err:
        intake.receive_dossier(clerk_ctx, form)
    assert err.value.field == "documents"
    assert "bổ sung" in str(err.value) and "nháp" in str(err.value)
    assert counts(clerk_ctx.db) == before
    form.documents[1].received = True
    form.documents[-1].received = False  # an optional one may be missing
    intake.receive_dossier(clerk_ctx, form)


def test_an_unknown_procedure_code_is_refused(clerk_ctx):
    form = make_form(clerk_ctx)
    form.procedure_code = "9.999999"
    with pytest.raises(ValidationError) as err:
        intake.receive_dossier(clerk_ctx, form)
    assert err.value.field == "procedure" and "9.999999" in str(err.value)


def test_roles_and_the_hub(db, hub_db):
    trainer = Ctx(db, Actor(None, "gv", "Giảng viên", Role.TRAINER))
    with pytest.raises(PermissionDenied):
        intake.receive_dossier(trainer, intake.IntakeForm(procedure_code="1.004746"))
    hub = Ctx(hub_db, Actor(None, "admin", "Quản trị", Role.ADMIN))
    with pytest.raises(KnownError):
        intake.receive_dossier(hub, intake.IntakeForm(procedure_code="1.004746"))


def test_the_preview_shows_the_appointment_that_is_saved(clerk_ctx):
    rules = intake.load_desk_rules(clerk_ctx)
    for code, when in [("1.004746", dt.datetime(2026, 2, 13, 9, 30)), ("1.000894", dt.datetime(2026, 3, 4, 15, 40)),
                       ("1.000894", dt.datetime(2026, 3, 4, 10, 0))]:
        proc = intake.procedure_by_code(clerk_ctx, code)
        shown = intake.preview_appointment(rules, proc, when)
        saved = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, code, received_at=to_utc(when)))
        assert to_local(saved.due_at) == shown
    # marriage registration is a same-day procedure with the 15:00 rule
    proc = intake.procedure_by_code(clerk_ctx, "1.000894")
    assert intake.preview_appointment(rules, proc, dt.datetime(2026, 3, 4, 10)) == dt.datetime(2026, 3, 4, 17)
    assert intake.preview_appointment(rules, proc, dt.datetime(2026, 3, 4, 15, 40)) == dt.datetime(2026, 3, 5, 17)


def test_a_returning_citizen_is_found_by_id_number(clerk_ctx):
    assert intake.find_returning_citizen(clerk_ctx, "001190012345") is None
    intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, address="Số 5, đường Lê Lợi",
                                                received_at=MORNING + dt.timedelta(hours=1)))
    found = intake.find_returning_citizen(clerk_ctx, "001 190 012 345")
    assert found.name == "Nguyễn Thị Đào" and found.address == "Số 5, đường Lê Lợi"  # the latest dossier
    assert found.dob == dt.date(1990, 5, 17) and found.phone == "0912345678"
    assert intake.find_returning_citizen(clerk_ctx, "0011900") is None


def test_drafts_are_kept_per_user_and_removed_by_the_save(db):
    ana = Ctx(db, Actor(__import__("uuid").uuid4(), "ana", "Ana", Role.CLERK))
    ben = Ctx(db, Actor(__import__("uuid").uuid4(), "ben", "Ben", Role.CLERK))
    draft = intake.save_draft(ana, {"name": "Nguyễn Văn A", "procedure_code": "1.004746", "dob": "17/05"})
    intake.save_draft(ana, {"name": "Nguyễn Văn An", "procedure_code": "1.004746"}, draft)
    assert [d.payload["name"] for d in intake.load_drafts(ana)] == ["Nguyễn Văn An"]
    assert intake.load_drafts(ben) == []
    intake.receive_dossier(ana, make_form(ana, draft_id=draft))
    assert intake.load_drafts(ana) == []
    other = intake.save_draft(ben, {"name": "B"})
    intake.delete_draft(ben, other)
    with db.read() as s:
        assert s.scalar(select(func.count(IntakeDraft.id))) == 0


def test_save_and_print_is_one_transaction_with_the_slip(clerk_ctx, tmp_path):
    tmp_path = tmp_path / "print"
    tmp_path.mkdir()
    before = counts(clerk_ctx.db)
    result = intake.receive_and_print(clerk_ctx, make_form(clerk_ctx), tmp_path)
    assert result.problem is None and result.pdf == tmp_path / f"giay-tiep-nhan-{result.dossier.code}.pdf"
    assert result.pdf.read_bytes().startswith(b"%PDF") and [p.name for p in tmp_path.iterdir()] == [result.pdf.name]
    with clerk_ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == result.dossier.code))
        assert d.slip_issued_at is not None and d.version == 1  # written once, already marked
    assert counts(clerk_ctx.db)["dossier"] == before["dossier"] + 1


def test_a_receipt_that_cannot_be_made_does_not_lose_the_dossier(clerk_ctx, tmp_path, monkeypatch):
    tmp_path = tmp_path / "print"
    tmp_path.mkdir()
    def broken(*_args, **_kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("commune_desk.services.documents.build_receipts", broken)
    result = intake.receive_and_print(clerk_ctx, make_form(clerk_ctx), tmp_path)
    assert result.pdf is None and "No space" in result.problem
    assert list(tmp_path.iterdir()) == []
    with clerk_ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == result.dossier.code))
        assert d is not None, (result, s.scalars(select(Dossier.code)).all())
        assert d.status == "received" and d.slip_issued_at is None


def test_bad_input_to_save_and_print_writes_nothing(clerk_ctx, tmp_path):
    tmp_path = tmp_path / "print"
    tmp_path.mkdir()
    before = counts(clerk_ctx.db)
    with pytest.raises(ValidationError):
        intake.receive_and_print(clerk_ctx, make_form(clerk_ctx, phone="09123x5678"), tmp_path)
    assert counts(clerk_ctx.db) == before and list(tmp_path.iterdir()) == []


def test_a_procedure_without_a_processing_time_needs_the_days_typed(clerk_ctx):
    proc = intake.procedure_by_code(clerk_ctx, "1.001776")  # the catalog has no number of days
    assert intake.needs_time_value(proc)
    rules = intake.load_desk_rules(clerk_ctx)
    assert intake.preview_appointment(rules, proc, dt.datetime(2026, 3, 2, 9)) is None
    with pytest.raises(ValidationError) as err:
        intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, "1.001776"))
    assert err.value.field == "time_value"
    saved = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, "1.001776", time_value=10,
                                                        received_at=to_utc(dt.datetime(2026, 3, 2, 9))))
    assert to_local(saved.due_at) == dt.datetime(2026, 3, 16, 17, 0)
    assert intake.preview_appointment(rules, proc, dt.datetime(2026, 3, 2, 9), 10) == dt.datetime(2026, 3, 16, 17)
