"""The XLSX and PDF files hold the same numbers as the report, laid out as offices expect."""

from __future__ import annotations

import re

import openpyxl
import pytest
import reportdata as rd
from pypdf import PdfReader

from commune_desk.errors import ValidationError
from commune_desk.reports.model import COLUMNS, TOTAL
from commune_desk.reports.texts import number, percent
from commune_desk.services import reports as service


@pytest.fixture
def report(admin_ctx):
    rd.insert(admin_ctx.db)
    rd.insert_training(admin_ctx.db, year=2025)
    return service.periodic_report(admin_ctx, "2025-Q1", as_of=rd.AS_OF)


def expected_cells(row) -> list:
    return [round(row.counts.rate, 2) if c.percent else row.counts.cell(c.key) for c in COLUMNS]


def test_xlsx_holds_the_report(admin_ctx, report, tmp_path):
    path = service.export_report(admin_ctx, report, tmp_path / "quy1.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Giải quyết TTHC", "Hài lòng", "Chấm điểm", "Bồi dưỡng", "Theo tháng"]
    ws = wb["Giải quyết TTHC"]
    texts = [c for row in ws.iter_rows(max_row=9, values_only=True) for c in row if c]
    assert "UBND XÃ MINH TÂN" in texts and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Quý I năm 2025" in texts and "Đơn vị báo cáo: Xã Minh Tân" in texts
    # the two header rows: merged groups above their columns
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["C10"].value == "Số hồ sơ nhận giải quyết" and "C10:G10" in merged
    assert ws["H10"].value == "Số hồ sơ đã giải quyết" and "H10:K10" in merged
    assert [ws.cell(11, c).value for c in range(3, 8)] == ["Tổng số", "Trực tuyến", "Trực tiếp",
                                                           "Qua dịch vụ bưu chính", "Từ kỳ trước chuyển sang"]
    assert ws["O10"].value == "Chờ bổ sung" and "O10:O11" in merged
    assert ws.freeze_panes == "C13"
    assert ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["B"].width > 40
    # every data row, cell by cell, then the totals row
    for offset, row in enumerate(report.rows):
        cells = [ws.cell(13 + offset, c).value for c in range(1, 3 + len(COLUMNS))]
        assert cells[0] == row.stt or (row.level == TOTAL and cells[0] is None)
        assert cells[2:] == expected_cells(row), row.label
    total_row = 13 + len(report.rows) - 1
    assert ws.cell(total_row, 2).value == "Tổng cộng" and ws.cell(total_row, 2).font.bold
    assert ws.cell(total_row, 3).number_format == "#,##0"
    assert ws.cell(total_row, 17).number_format == "0.00" and ws.cell(total_row, 17).value == 53.85
    signature = [c for row in ws.iter_rows(min_row=total_row, values_only=True) for c in row if c]
    assert "NGƯỜI LẬP BIỂU" in signature and "THỦ TRƯỞNG ĐƠN VỊ" in signature
    # the other parts
    sat = {row[1]: row[2] for row in wb["Hài lòng"].iter_rows(values_only=True) if row[1] and row[2] is not None}
    assert sat["Mức độ hài lòng = 100% − (2) − (4) (%)"] == 38.46
    assert sat["Số hồ sơ có phản ánh, kiến nghị hoặc không hài lòng"] == 2
    scores = {row[1]: row for row in wb["Chấm điểm"].iter_rows(values_only=True) if row[1]}
    assert scores["Trần Thị Bình"][2:10] == (3, 0.7, 0.7, 1, 2, 2, 1.7, 8.1)   # index 7: D3 rated attitude 1
    training = {row[1]: row[3] for row in wb["Bồi dưỡng"].iter_rows(values_only=True) if row[1] and len(row) > 3}
    assert training["Nguyễn Thị Lan"] == 36 and training["Lê Thị Hoa"] == 40
    months = [row for row in wb["Theo tháng"].iter_rows(values_only=True) if row[1] == "Tháng 01 năm 2025"]
    assert months[0][2:4] == (5, 60.0)
    assert wb["Theo tháng"]._charts


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_pdf_holds_the_report(admin_ctx, report, tmp_path):
    path = service.export_report(admin_ctx, report, tmp_path / "quy1.pdf")
    reader = PdfReader(str(path))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert width > height                                     # A4 landscape
    assert (round(width), round(height)) == (842, 595)
    text = pdf_text(path)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND XÃ MINH TÂN",
                  "BÁO CÁO", "Quý I năm 2025", "(Số liệu từ ngày 01/01/2025 đến ngày 31/03/2025)",
                  "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Minh Tân, ngày 10 tháng 4 năm 2025"):
        assert words in text, words
    # each table row, read back in order: STT, name, then the 15 numbers as the window shows them
    flat = re.sub(r"\s+", " ", text)
    for row in report.rows:
        cells = [percent(row.counts.rate) if c.percent else number(row.counts.cell(c.key)) for c in COLUMNS]
        assert " ".join(cells) in flat, row.label
    assert "38,46%" in flat                                   # satisfaction
    assert "Nguyễn Thị Lan" not in flat                       # people are listed in the XLSX only
    assert "đạt tối thiểu 40 tiết/năm: 1" in flat


def test_a_file_of_another_kind_is_refused_and_nothing_is_written(admin_ctx, report, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError) as err:
        service.export_report(admin_ctx, report, out / "quy1.docx")
    assert ".xlsx" in str(err.value)
    with pytest.raises(ValidationError):
        service.export_report(admin_ctx, report, out / "missing" / "quy1.pdf")
    assert list(out.iterdir()) == []


def test_a_failed_export_leaves_no_partial_file(admin_ctx, report, tmp_path, monkeypatch):
    import commune_desk.reports.xlsx as xlsx

    def broken(_report, path, progress=None):  # noqa: ARG001
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx, "write_xlsx", broken)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError):
        service.export_report(admin_ctx, report, out / "quy1.xlsx")
    assert list(out.iterdir()) == []
