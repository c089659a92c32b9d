"""The office calendar service: the shipped table, the cache, appointments, import/export."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from commune_desk.domain.calendar import DueRule
from commune_desk.errors import KnownError, PermissionDenied, ValidationError
from commune_desk.services import calendar as cal_service
from commune_desk.store.models import CalendarDay, ChangeLog, Procedure


def _count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(CalendarDay))


def test_setup_seeds_the_shipped_2026_table(db):
    cal = cal_service.load_calendar(db)
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert all(not cal.is_working_day(date(2026, 2, d)) for d in range(14, 23))


def test_appointment_for_a_catalog_procedure(db):
    with db.read() as s:
        proc = s.scalar(select(Procedure).where(Procedure.time_kind == "working_days",
                                                Procedure.time_value == 3))
    received = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)          # Friday 13 Feb, 15:30 in Hà Nội
    assert cal_service.appointment_for(db, proc, received) == datetime(2026, 2, 25, 10, 0, tzinfo=UTC)
    same_day = DueRule("same_day", None, True)
    assert cal_service.appointment_for(db, same_day, received) == datetime(2026, 2, 23, 10, 0, tzinfo=UTC)


def test_appointment_follows_the_office_settings(db):
    with db.write() as s:
        db.set_setting(s, "calendar.appointment_time", "16:30")
        db.set_setting(s, "calendar.cutoff_moves_multi_day", True)
    received = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)
    due = cal_service.appointment_for(db, DueRule("working_days", 3, False), received)
    assert due == datetime(2026, 2, 26, 9, 30, tzinfo=UTC)         # 26/2 16:30 local


def test_edits_reach_the_cached_calendar(admin_ctx):
    db = admin_ctx.db
    assert cal_service.load_calendar(db).is_working_day(date(2026, 3, 10))
    cal_service.set_day(admin_ctx, date(2026, 3, 10), "off", "Nghỉ bầu cử")
    assert not cal_service.load_calendar(db).is_working_day(date(2026, 3, 10))
    # a change written by someone else (the sync importer, another process) is seen too
    with db.write() as s:
        s.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10))).kind = "work"
    assert cal_service.load_calendar(db).is_working_day(date(2026, 3, 10))
    cal_service.delete_day(admin_ctx, date(2026, 3, 10))
    assert date(2026, 3, 10) not in cal_service.load_calendar(db).overrides


def test_edits_travel_in_the_change_log(admin_ctx):
    db = admin_ctx.db
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "calendar_day"))
    cal_service.set_day(admin_ctx, date(2026, 12, 26), "work", "Làm bù")
    with db.read() as s:
        after = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "calendar_day"))
    assert after == before + 1


def test_a_clerk_cannot_edit_the_calendar(clerk_ctx, trainer_ctx):
    for ctx in (clerk_ctx, trainer_ctx):
        with pytest.raises(PermissionDenied):
            cal_service.set_day(ctx, date(2026, 3, 10), "off")
    assert cal_service.load_calendar(clerk_ctx.db).is_working_day(date(2026, 3, 10))


def test_an_unknown_kind_is_refused(admin_ctx):
    with pytest.raises(ValidationError):
        cal_service.set_day(admin_ctx, date(2026, 3, 10), "holiday")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_round_trip(admin_ctx, tmp_path, suffix):
    out = tmp_path / f"lich{suffix}"
    assert cal_service.export_file(admin_ctx, out) == 11
    summary = cal_service.import_file(admin_ctx, out)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 11)


def test_import_adds_and_changes_days(admin_ctx, tmp_path):
    f = tmp_path / "lich.csv"
    f.write_text("date,kind,note\n02/09/2027,off,Quốc khánh\n2026-01-10,off,Đổi lại\n", encoding="utf-8")
    summary = cal_service.import_file(admin_ctx, f)
    assert (summary.created, summary.updated) == (1, 1)
    cal = cal_service.load_calendar(admin_ctx.db)
    assert not cal.is_working_day(date(2026, 1, 10))


def test_bad_calendar_file_names_each_row_and_writes_nothing(admin_ctx, tmp_path):
    before = _count(admin_ctx.db)
    f = tmp_path / "lich.csv"
    f.write_text("date,kind,note\n2026-03-10,off,ok\n2026-02-30,off,x\n2026-03-11,holiday,y\n"
                 "2026-03-10,work,trùng\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        cal_service.import_file(admin_ctx, f)
    text = str(err.value)
    assert "Dòng 3" in text and "2026-02-30" in text
    assert "Dòng 4" in text and "holiday" in text
    assert "Dòng 5" in text and "trùng" in text
    assert "Dòng 2:" not in text
    assert _count(admin_ctx.db) == before


def test_wrong_column_and_broken_encoding_are_refused(admin_ctx, tmp_path):
    f = tmp_path / "lich.csv"
    f.write_text("ngay,kind,note\n2026-03-10,off,x\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Dòng 1: cột không hợp lệ: ngay"):
        cal_service.import_file(admin_ctx, f)
    # a file saved by an old Vietnamese Windows program (code page 1258), not UTF-8
    f.write_bytes("date,kind,note\n2026-03-10,off,Nghi\u0309 bù\n".encode("cp1258"))
    with pytest.raises(ValidationError, match="Dòng 2: tệp không đúng mã UTF-8"):
        cal_service.import_file(admin_ctx, f)
    f.write_bytes(b"")
    with pytest.raises(ValidationError, match="trống"):
        cal_service.import_file(admin_ctx, f)


def test_a_procedure_without_a_processing_time_gets_a_clear_message(db):
    with db.read() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == "1.001776"))   # time not set in the catalog
    assert proc.time_value is None
    with pytest.raises(KnownError, match="1.001776 chưa có thời hạn"):
        cal_service.appointment_for(db, proc, datetime(2026, 3, 9, 2, 0, tzinfo=UTC))
