"""Personal data: masking, the audited view of a full ID number, anonymisation past the
retention period (statistics kept), and a citizen's request for their data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import uuid

import pytest
from conftest import actor
from pypdf import PdfReader
from sqlalchemy import select

from commune_desk.domain.idnumber import mask
from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError, NotFound, PermissionDenied, ValidationError
from commune_desk.services import intake, privacy
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.store.models import AuditEntry, Dossier, DossierEvent, Procedure

AN = ("Nguyễn Văn An", "001092001234")
BINH = ("Trần Thị Bình", "001192001235")


def receive(ctx: Ctx, who: tuple[str, str], code: str | None = None):
    procs = intake.load_procedures(ctx)
    proc = next(p for p in procs if (p.code == code if code else p.time_kind == "working_days" and p.time_value))
    form = intake.IntakeForm(procedure_code=proc.code, name=who[0], id_number=who[1], dob=dt.date(1992, 5, 1),
                             phone="0912345678", address="Thôn Đồng Xe, xã Minh Tân", email="an@example.vn",
                             note="Anh An hẹn lấy buổi chiều",
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    return intake.receive_dossier(ctx, form)


def finish(db, dossier_id, when: dt.datetime, status: str = "returned") -> None:
    with db.write() as s:
        d = s.get(Dossier, dossier_id)
        d.status, d.finished_at, d.returned_at, d.outcome = status, when, when, "on_time"
        s.add(DossierEvent(dossier_id=d.id, kind="return_result", at=when, actor_name="Cán Bộ",
                           from_status="result_ready", to_status=status, note="Trả cho anh An tận tay",
                           data={"recipient_name": "Nguyễn Văn An", "fee_vnd": 50000}))


def last_entry(db) -> AuditEntry:
    with db.read() as s:
        return s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def test_masking_keeps_enough_to_tell_people_apart():
    assert mask("001092001234") == "0010****1234"
    assert mask("123456789") == "12***6789"
    assert mask("") == "" and mask(None) == ""
    assert mask("12345") == "*****"


def test_revealing_a_full_id_number_is_allowed_to_some_roles_and_audited(db, clerk_ctx, trainer_ctx):
    saved = receive(clerk_ctx, AN)
    assert privacy.reveal_id_number(clerk_ctx, saved.id) == AN[1]
    entry = last_entry(db)
    assert (entry.actor, entry.action, entry.target) == ("canbo", "id.reveal", saved.code)
    assert entry.details["masked"] == "0010****1234" and AN[1] not in json.dumps(entry.details)
    with pytest.raises(PermissionDenied):
        privacy.reveal_id_number(trainer_ctx, saved.id)
    with pytest.raises(NotFound):
        privacy.reveal_id_number(clerk_ctx, uuid.uuid4())
    assert last_entry(db).seq == entry.seq  # a refused view writes nothing


def test_anonymise_past_retention_keeps_the_statistics(db, clerk_ctx):
    leader = Ctx(db, actor(Role.LEADER, "lanhdao"))
    old = receive(clerk_ctx, AN)
    recent = receive(clerk_ctx, BINH)
    still_open = receive(clerk_ctx, AN)
    now = utcnow()
    finish(db, old.id, now - dt.timedelta(days=37 * 31))
    finish(db, recent.id, now - dt.timedelta(days=30))
    with db.write() as s:  # the open one was received long ago but is not finished
        s.get(Dossier, still_open.id).received_at = now - dt.timedelta(days=2000)
    rows = privacy.past_retention(leader, now)
    assert [r.code for r in rows] == [old.code] and rows[0].retention_months == 36
    with pytest.raises(PermissionDenied):
        privacy.anonymise(clerk_ctx, now)
    with pytest.raises(KnownError, match="đã thay đổi"):
        privacy.anonymise(leader, now, expected=5)
    result = privacy.anonymise(leader, now, expected=1)
    assert result.count == 1 and result.codes == [old.code]
    with db.read() as s:
        d = s.get(Dossier, old.id)
        assert d.applicant_name == privacy.ANONYMISED_NAME
        assert (d.applicant_id_number, d.applicant_phone, d.applicant_address, d.applicant_email, d.applicant_dob,
                d.note) == (None,) * 6
        assert d.anonymised_at is not None
        # what the statistics read is untouched
        assert (d.status, d.outcome, d.procedure_code, d.field, d.fee_vnd) == ("returned", "on_time",
                                                                             d.procedure_code, d.field, d.fee_vnd)
        assert d.received_at is not None and d.due_at is not None and d.finished_at is not None
        events = list(s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == old.id)))
        assert all(e.note is None for e in events)
        returned = next(e for e in events if e.kind == "return_result")
        assert returned.data == {"recipient_name": None, "fee_vnd": 50000}
        assert s.get(Dossier, recent.id).applicant_id_number == BINH[1]
        assert s.get(Dossier, still_open.id).applicant_name == AN[0]
    entries = [e for e in _entries(db) if e.action == "privacy.anonymise"]
    assert len(entries) == 1 and entries[0].details["count"] == 1 and entries[0].actor == "lanhdao"
    assert privacy.past_retention(leader, now) == []
    assert privacy.anonymise(leader, now).count == 0


def test_a_procedure_can_keep_its_records_longer(db, clerk_ctx):
    leader = Ctx(db, actor(Role.LEADER, "lanhdao"))
    saved = receive(clerk_ctx, AN)
    finish(db, saved.id, utcnow() - dt.timedelta(days=40 * 31))
    with db.write() as s:
        s.scalar(select(Procedure).where(Procedure.code == s.get(Dossier, saved.id).procedure_code)) \
            .retention_months = 120
    assert privacy.past_retention(leader) == []
    with db.write() as s:
        db.set_setting(s, "privacy.default_retention_months", 12)
    assert privacy.past_retention(leader) == []  # the procedure's own period wins


def test_months_before_handles_month_ends():
    moment = dt.datetime(2027, 3, 31, 10, tzinfo=dt.UTC)
    assert privacy.months_before(moment, 1) == dt.datetime(2027, 2, 28, 10, tzinfo=dt.UTC)
    assert privacy.months_before(moment, 36) == dt.datetime(2024, 3, 31, 10, tzinfo=dt.UTC)


def _entries(db) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_a_citizen_gets_everything_held_on_their_id_number(db, clerk_ctx, trainer_ctx, tmp_path):
    first = receive(clerk_ctx, AN)
    second = receive(clerk_ctx, AN)
    other = receive(clerk_ctx, BINH)
    out = privacy.print_citizen_data(clerk_ctx, " 001 092 001 234 ", tmp_path / "du-lieu.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    flat = " ".join(text.split())
    for needle in (first.code, second.code, "Nguyễn Văn An", AN[1], "0912345678", "THÔNG TIN DỮ LIỆU CÁ NHÂN",
                   "Anh An hẹn lấy buổi chiều"):
        assert needle in flat, needle
    assert other.code not in flat and "Trần Thị Bình" not in flat
    entry = last_entry(db)
    assert (entry.action, entry.target) == ("privacy.data_request", "0010****1234")
    assert entry.details == {"dossiers": 2, "file": "du-lieu.pdf"}
    assert not list(tmp_path.glob("*.partial"))
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(png)], check=True)
    with pytest.raises(PermissionDenied):
        privacy.print_citizen_data(trainer_ctx, AN[1], tmp_path / "x.pdf")
    with pytest.raises(ValidationError):
        privacy.print_citizen_data(clerk_ctx, "00109'; DROP TABLE dossier;--", tmp_path / "x.pdf")
    none = privacy.print_citizen_data(clerk_ctx, "079092001234", tmp_path / "none.pdf")
    assert "không lưu giữ hồ sơ nào" in " ".join(PdfReader(none).pages[0].extract_text().split())
