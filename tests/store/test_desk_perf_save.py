"""The lean save path keeps every guarantee: one transaction, an outbox row for every
record (audit entries included), an unbroken audit chain, code and book numbers skipped
one by one when taken, and nothing left behind when the commit fails."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from commune_desk.domain.calendar import to_local, to_utc
from commune_desk.services import audit, intake
from commune_desk.store.models import AuditEntry, ChangeLog, Dossier, SequenceCounter

MORNING = to_utc(dt.datetime(2026, 2, 13, 9, 30))


def make_form(ctx) -> intake.IntakeForm:
    proc = intake.procedure_by_code(ctx, "1.004746")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    return intake.IntakeForm(procedure_code=proc.code, name="Nguyễn Thị Đào", id_number="001190012345",
                             dob=dt.date(1990, 5, 17), phone="0912345678", address="Thôn Đồng Tâm",
                             documents=lines, fees=[intake.FeeItem("Lệ phí", 15000)], received_at=MORNING)


def statements_of(db, fn) -> list[str]:
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def test_save_and_print_is_one_transaction_with_every_outbox_row(clerk_ctx, tmp_path):
    db = clerk_ctx.db
    with db.read() as s:
        last_log = s.scalar(select(func.max(ChangeLog.seq))) or 0
    form = make_form(clerk_ctx)
    db.require_office()  # the office is read once per process, not per save
    sent = statements_of(db, lambda: intake.receive_and_print(clerk_ctx, form, tmp_path))
    assert sent.count("BEGIN") == 1 and len(sent) <= 13, sent   # the day's first: +1 counter INSERT; 16 before folding
    with db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.book_number == 1))
        assert d.slip_issued_at is not None
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).all()
        assert [e.action for e in entries] == ["data.change", "print"]
        logged = [(c.entity, c.record_id) for c in
                  s.scalars(select(ChangeLog).where(ChangeLog.seq > last_log).order_by(ChangeLog.seq))]
        assert ("dossier", d.id) in logged and ("dossier_event", None) not in logged
        assert {("audit_entry", e.id) for e in entries} <= set(logged)
        assert len(logged) == 4   # dossier, its event, two audit entries: one row each
        assert audit.verify_chain(s).ok


def test_many_saves_keep_the_chain_and_the_outbox_in_step(clerk_ctx, tmp_path):
    for i in range(4):
        (intake.receive_and_print if i % 2 else intake.receive_dossier)(
            clerk_ctx, make_form(clerk_ctx), *([tmp_path] if i % 2 else []))
    with clerk_ctx.db.read() as s:
        report = audit.verify_chain(s)
        assert report.ok, report.problems
        seqs = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))
        numbers = s.scalars(select(Dossier.book_number).order_by(Dossier.book_number)).all()
        assert numbers == [1, 2, 3, 4]


def test_a_taken_book_number_is_skipped_without_skipping_the_code(clerk_ctx):
    first = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    with clerk_ctx.db.write() as s:  # only the book's counter went back (an old backup of the year)
        s.get(SequenceCounter, "book:2026").value = 0
    second = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert second.code.endswith("-0002") and second.book_number == 2
    assert first.book_number == 1


def test_a_commit_that_fails_after_the_audit_entry_leaves_nothing(clerk_ctx, monkeypatch):
    db = clerk_ctx.db
    intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))

    def counts() -> tuple[int, int, int]:
        with db.read() as s:
            return (s.scalar(select(func.count(Dossier.id))), s.scalar(select(func.count(ChangeLog.seq))),
                    s.scalar(select(func.count(AuditEntry.id))))

    before = counts()
    real = audit._write_directly

    def then_fail(session, entries):
        real(session, entries)  # the entries and their outbox rows are written ...
        raise OSError("disk unplugged")  # ... then the commit fails

    monkeypatch.setattr(audit, "_write_directly", then_fail)
    with pytest.raises(OSError):
        intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert counts() == before
    monkeypatch.undo()
    again = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert again.book_number == 2
    with db.read() as s:
        assert audit.verify_chain(s).ok


def test_a_save_sees_a_calendar_day_added_elsewhere(clerk_ctx, admin_ctx, monkeypatch):
    """The calendar's fingerprint now rides on the procedure query: an edit made by another
    process (no in-process invalidation) still moves the next appointment."""
    from commune_desk.services import calendar

    first = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    monkeypatch.setattr(calendar, "invalidate", lambda db: None)   # as if another process edited it
    calendar.set_day(admin_ctx, to_local(first.due_at).date(), "off", "Nghỉ đột xuất")
    second = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert second.received_at == first.received_at
    assert to_local(second.due_at).date() > to_local(first.due_at).date()


def test_the_direct_writes_log_in_order_and_feed_the_search_index(clerk_ctx, tmp_path):
    """Dossier and event go in without a flush: their outbox rows still come first, in
    order, the "data.change" entry still lists both, and the search triggers still fire."""
    from sqlalchemy import text

    from commune_desk.store import search_index
    from commune_desk.store.models import DossierEvent

    db = clerk_ctx.db
    with db.read() as s:
        last_log = s.scalar(select(func.max(ChangeLog.seq))) or 0
    saved = intake.receive_and_print(clerk_ctx, make_form(clerk_ctx), tmp_path).dossier
    with db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == saved.code))
        ev = s.scalar(select(DossierEvent).where(DossierEvent.dossier_id == d.id))
        assert (d.version, d.office_code, ev.version, ev.office_code) == (1, "00919", 1, "00919")
        assert d.created_at is not None and ev.data["book_number"] == saved.book_number
        logged = s.execute(select(ChangeLog.entity, ChangeLog.record_id, ChangeLog.op, ChangeLog.version)
                           .where(ChangeLog.seq > last_log).order_by(ChangeLog.seq)).all()
        assert [row[:2] for row in logged[:2]] == [("dossier", d.id), ("dossier_event", ev.id)]
        assert [row.entity for row in logged[2:]] == ["audit_entry", "audit_entry"]
        assert {(row.op, row.version) for row in logged} == {("upsert", 1)}
        change = s.scalar(select(AuditEntry).where(AuditEntry.action == "data.change")
                          .order_by(AuditEntry.seq.desc()).limit(1))
        assert change.details["changes"] == [["dossier", str(d.id), 1, "insert"],
                                             ["dossier_event", str(ev.id), 1, "insert"]]
        assert saved.code in change.target
        found = s.execute(text(f"SELECT k.dossier_id FROM {search_index.FTS_TABLE} f JOIN "
                               f"{search_index.KEY_TABLE} k ON k.n = f.rowid WHERE f.body MATCH :q"),
                          {"q": "dao"}).scalars().all()
        assert d.id.hex in [str(x).replace("-", "") for x in found]
