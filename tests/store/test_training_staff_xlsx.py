"""The staff registry from and to XLSX: a good file imports (and again changes nothing), a bad
file names every bad row and imports nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from training_data import add_staff, person

from commune_desk.errors import ValidationError
from commune_desk.services import staff_io
from commune_desk.services import training as T
from commune_desk.store.models import ChangeLog, Staff

HEADER = ["STT", "Họ và tên", "Số định danh cá nhân", "Ngày sinh", "Chức vụ", "Đơn vị", "Vị trí việc làm",
          "Ngạch công chức", "Số điện thoại", "Tình trạng", "Ghi chú"]


def row(i: int, **change) -> list:
    p = person(i)
    values = [i + 1, p.full_name, p.id_number, p.dob, p.position, p.unit, p.job_position, p.grade, p.phone,
              "Đang công tác", ""]
    for key, value in change.items():
        values[HEADER.index(key)] = value
    return values


def write(path, rows, header=HEADER, title: str | None = None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def staff_count(ctx) -> tuple[int, int]:
    with ctx.db.read() as s:
        return s.scalar(select(func.count(Staff.id))), s.scalar(select(func.count(ChangeLog.seq)))


def test_good_file_imports_every_official(trainer_ctx, tmp_path):
    path = write(tmp_path / "canbo.xlsx", [row(i) for i in range(20)], title="DANH SÁCH CÁN BỘ, CÔNG CHỨC XÃ")
    result = staff_io.import_staff_xlsx(trainer_ctx, path)
    assert (result.created, result.updated, result.unchanged) == (20, 0, 0)
    people = {p.id_number: p for p in T.list_staff(trainer_ctx)}
    p3 = person(3)
    assert people[p3.id_number].full_name == p3.full_name
    assert people[p3.id_number].dob == p3.dob and people[p3.id_number].unit == p3.unit
    # the same file again changes nothing
    again = staff_io.import_staff_xlsx(trainer_ctx, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)


def test_text_dates_lost_zeros_and_other_columns(trainer_ctx, tmp_path):
    p = person(0)
    header = ["Họ tên", "CCCD", "Ngày sinh", "Giới tính", "Chức vụ"]
    as_number = int(p.id_number)  # Excel dropped the leading zeros
    path = write(tmp_path / "f.xlsx", [[p.full_name, as_number, p.dob.strftime("%d/%m/%Y"), "Nam", p.position]],
                 header=header)
    result = staff_io.import_staff_xlsx(trainer_ctx, path)
    assert result.created == 1 and result.ignored_columns == ["Giới tính"]
    stored, = T.list_staff(trainer_ctx)
    assert stored.id_number == p.id_number and stored.dob == p.dob


def test_bad_rows_are_all_named_and_nothing_is_imported(trainer_ctx, tmp_path):
    rows = [row(0), row(1, **{"Số định danh cá nhân": "001092999999"}),   # birth year does not match
            row(2, **{"Ngày sinh": "31/02/1990"}),                          # no such date
            row(3), row(4, **{"Số định danh cá nhân": person(0).id_number, "Họ và tên": "Người Trùng"}),
            row(5, **{"Số định danh cá nhân": "12345"}),
            row(6, **{"Họ và tên": ""})]
    path = write(tmp_path / "bad.xlsx", rows)
    before = staff_count(trainer_ctx)
    with pytest.raises(ValidationError) as err:
        staff_io.import_staff_xlsx(trainer_ctx, path)
    message = str(err.value)
    assert message.startswith("Tệp có 5 dòng lỗi, chưa nhập dòng nào.")
    bad_rows = [r for r, _p in err.value.errors]
    assert bad_rows == ["3", "4", "6", "7", "8"]   # spreadsheet rows: the header is row 1
    problems = dict(err.value.errors)
    assert "không khớp với năm sinh" in problems["3"]
    assert "ngày sinh “31/02/1990” không đúng dạng" in problems["4"]
    assert "trùng người với dòng 2" in problems["6"]
    assert "12 chữ số" in problems["7"]
    assert "Hãy nhập họ và tên" in problems["8"]
    assert staff_count(trainer_ctx) == before


def test_wrong_header_is_refused(trainer_ctx, tmp_path):
    path = write(tmp_path / "wrong.xlsx", [["Nguyễn Văn A", "001092001234"]], header=["Name", "ID"])
    with pytest.raises(ValidationError, match="không có dòng tiêu đề đúng mẫu"):
        staff_io.import_staff_xlsx(trainer_ctx, path)
    missing = write(tmp_path / "missing.xlsx", [["Nguyễn Văn A", "Công chức"]], header=["Họ và tên", "Chức vụ"])
    with pytest.raises(ValidationError, match="Dòng 1: thiếu cột: Số định danh cá nhân"):
        staff_io.import_staff_xlsx(trainer_ctx, missing)
    assert staff_count(trainer_ctx)[0] == 0


def test_empty_file_and_header_only(trainer_ctx, tmp_path):
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    with pytest.raises(ValidationError, match="trống"):
        staff_io.import_staff_xlsx(trainer_ctx, empty)
    header_only = write(tmp_path / "header.xlsx", [])
    with pytest.raises(ValidationError, match="không có dòng dữ liệu nào"):
        staff_io.import_staff_xlsx(trainer_ctx, header_only)


def test_not_an_xlsx(trainer_ctx, tmp_path):
    fake = tmp_path / "canbo.xlsx"
    fake.write_text("Họ và tên;Số định danh\nNguyễn Văn A;001092001234\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="tệp hỏng hoặc không phải .xlsx"):
        staff_io.import_staff_xlsx(trainer_ctx, fake)
    pdf = tmp_path / "canbo.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValidationError, match="Chỉ nhận tệp Excel .xlsx"):
        staff_io.import_staff_xlsx(trainer_ctx, pdf)


def test_export_then_import_round_trip(trainer_ctx, tmp_path):
    add_staff(trainer_ctx, 8)
    left = T.get_staff(trainer_ctx, T.list_staff(trainer_ctx)[0].id)
    fields = {k: v for k, v in left.__dict__.items() if k != "id"}
    T.save_staff(trainer_ctx, T.StaffInput(**{**fields, "active": False, "left_on": dt.date(2026, 1, 31)}), left.id)
    path = tmp_path / "out.xlsx"
    assert staff_io.export_staff_xlsx(trainer_ctx, path) == 8
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == HEADER
    ids = [sheet.cell(r, 3).value for r in range(2, 10)]
    assert all(isinstance(v, str) and v.startswith("008") for v in ids)  # leading zeros kept
    assert isinstance(sheet.cell(2, 4).value, dt.datetime)
    assert "Đã nghỉ" in [sheet.cell(r, 10).value for r in range(2, 10)]
    result = staff_io.import_staff_xlsx(trainer_ctx, path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 8)
