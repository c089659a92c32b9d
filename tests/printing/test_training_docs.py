"""The training PDFs read back with pypdf: the attendance sheet (A4 portrait, everyone, a
signature column), certificates (A4 landscape, one numbered page each), the course summary
and one official's history."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from pypdf import PdfReader
from training_data import add_course, add_staff

from commune_desk.errors import ValidationError
from commune_desk.services import training as T
from commune_desk.services import training_print as P
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import Assessment

A4 = (595.3, 841.9)


def text_of(path) -> tuple[PdfReader, str]:
    reader = PdfReader(str(path))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


@pytest.fixture
def course30(trainer_ctx):
    ctx = Ctx(trainer_ctx.db, Actor(uuid.uuid4(), "giangvien", "Lê Thị Giảng", trainer_ctx.actor.role))
    people = add_staff(ctx, 30)
    course, sessions = add_course(ctx, sessions=3)
    T.enrol(ctx, course.id, [p.id for p in people])
    for t in sessions:
        T.set_many(ctx, t.id, "P")
    T.set_attendance(ctx, sessions[0].id, people[4].id, "E")
    with ctx.db.write() as s:  # results entered in bulk (set_result is tested in tests/store)
        for i, p in enumerate(people):
            score = 8.5 if i % 5 else 4.0
            s.add(Assessment(course_id=course.id, staff_id=p.id, score=score, passed=score >= 5))
    return ctx, people, course, sessions


def test_attendance_sheet_lists_everyone_with_a_signature_column(course30, tmp_path):
    ctx, people, _course, sessions = course30
    path = P.print_attendance_sheet(ctx, sessions[0].id, tmp_path / "sheet.pdf")
    reader, text = text_of(path)
    assert all(abs(a - b) < 1 for a, b in zip(size(reader.pages[0]), A4, strict=True))  # portrait
    flat_text = flat(text)
    for p in people:
        assert p.full_name in flat_text
    assert "DANH SÁCH HỌC VIÊN THAM DỰ BUỔI HỌC" in flat_text
    assert "Ký tên" in text and "Thứ Hai, ngày 02/03/2026, từ 07:30 đến 11:00" in flat_text
    assert "UBND XÃ MINH TÂN" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Minh Tân, ngày 02 tháng 3 năm 2026" in flat_text
    assert "Vắng có phép" in flat_text                      # the excused absence already recorded
    assert "Tổng số học viên theo danh sách: 30 người" in flat_text
    assert "NGƯỜI LẬP DANH SÁCH" in text and "Lê Thị Giảng" in text
    assert len(reader.pages) <= 3


def test_certificates_landscape_numbered_one_page_each(course30, tmp_path):
    ctx, people, course, _sessions = course30
    issued = T.issue_certificates(ctx, course.id, issued_on=dt.date(2026, 3, 9))
    assert len(issued) == 24  # the six who scored 4 did not pass
    path = P.print_certificates(ctx, course.id, tmp_path / "certs.pdf")
    reader, _ = text_of(path)
    assert len(reader.pages) == 24
    for page in reader.pages:
        width, height = size(page)
        assert width > height and abs(width - A4[1]) < 1  # A4 landscape
    first = flat(reader.pages[0].extract_text())
    cert = min(issued, key=lambda c: c.number)
    assert "GIẤY CHỨNG NHẬN" in first and "HOÀN THÀNH KHÓA BỒI DƯỠNG" in first
    assert f"Số: {cert.number}" in first and cert.number == "001/2026/GCN"
    assert cert.full_name.upper() in first
    assert "Kỹ năng tiếp nhận và trả kết quả theo cơ chế một cửa" in first
    assert "từ ngày 02/03/2026 đến ngày 06/03/2026 (12 tiết)" in first
    assert "Minh Tân, ngày 09 tháng 3 năm 2026" in first and "CHỦ TỊCH" in first
    assert "Đạt (8,5 điểm)" in first


def test_certificate_of_a_grade_course_is_a_chung_chi(trainer_ctx, tmp_path):
    who, = add_staff(trainer_ctx, 1)
    course, _ = add_course(trainer_ctx, "BD-NGACH", sessions=1, kind="grade_standard")
    T.enrol(trainer_ctx, course.id, [who.id])
    T.set_result(trainer_ctx, course.id, who.id, passed=True)
    T.issue_certificates(trainer_ctx, course.id, issued_on=dt.date(2026, 3, 9))
    _reader, text = text_of(P.print_certificates(trainer_ctx, course.id, tmp_path / "cc.pdf"))
    assert "CHỨNG CHỈ" in text and "Số: 001/2026/CC" in text
    assert "theo tiêu chuẩn ngạch công chức" in flat(text)


def test_no_certificate_to_print_is_a_clear_message(course30, tmp_path):
    ctx, _people, course, _sessions = course30
    with pytest.raises(ValidationError, match="Chưa có chứng nhận nào được cấp để in"):
        P.print_certificates(ctx, course.id, tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_course_summary(course30, tmp_path):
    ctx, people, course, _sessions = course30
    T.issue_certificates(ctx, course.id, issued_on=dt.date(2026, 3, 9))
    _reader, text = text_of(P.print_course_summary(ctx, course.id, tmp_path / "sum.pdf", today=dt.date(2026, 3, 9)))
    text = flat(text)
    assert "BÁO CÁO KẾT QUẢ KHÓA BỒI DƯỠNG" in text
    assert "Theo yêu cầu vị trí việc làm" in text and "Kỹ năng một cửa, Xử lý tình huống tại quầy" in text
    assert "12 tiết đã xếp lịch / 12 tiết dự kiến" in text
    assert "(30 người; đạt 24; đã cấp 24 giấy chứng nhận)" in text
    assert "29/30" in text and "30/30" in text      # the first session had one excused absence
    assert "15.000.000 đồng" in text


def test_person_history(course30, tmp_path):
    ctx, people, course, sessions = course30
    _reader, text = text_of(P.print_person_history(ctx, people[4].id, tmp_path / "h.pdf", today=dt.date(2026, 3, 9)))
    text = flat(text)
    assert "QUÁ TRÌNH BỒI DƯỠNG CỦA CÁN BỘ, CÔNG CHỨC" in text
    assert people[4].full_name in text
    assert "BD-2026-01" in text
    # excused from the first session: 8 of 12 periods; 32 short of the 40 minimum
    assert "2026 8 8 40 32" in text
