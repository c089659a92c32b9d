"""Catalog import and export (CSV and XLSX): round trips, and bad files refused whole."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from commune_desk.errors import ValidationError
from commune_desk.services import catalog

HEADER = "code,name,field,time_kind,time_value\n"


def snapshot(ctx):
    return [(p.code, p.name, p.field, p.time_kind, p.time_value, p.documents, p.fees)
            for p in catalog.list_procedures(ctx)]


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_lists_every_procedure_and_imports_back_unchanged(admin_ctx, tmp_path, suffix):
    out = tmp_path / f"danhmuc{suffix}"
    before = snapshot(admin_ctx)
    assert catalog.export_file(admin_ctx, out) == len(before) >= 30
    summary = catalog.import_file(admin_ctx, out)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, len(before))
    assert snapshot(admin_ctx) == before


def test_exported_csv_is_readable_in_a_spreadsheet(admin_ctx, tmp_path):
    out = tmp_path / "danhmuc.csv"
    catalog.export_file(admin_ctx, out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")       # BOM: Excel shows the diacritics
    rows = {r["code"]: r for r in read_csv(out)}
    birth = rows["1.001193"]
    assert birth["name"] == "Thủ tục đăng ký khai sinh" and birth["time_kind"] == "same_day"
    assert birth["cutoff_next_day"] == "có"
    first_doc = birth["documents"].splitlines()[0].split(" | ")
    assert first_doc[1:4] == ["bản chính", "1", "bắt buộc"]
    assert "Phí cấp bản sao Giấy khai sinh (nếu yêu cầu) | 8000" in birth["fees"]


def test_edited_export_updates_and_adds(admin_ctx, tmp_path):
    out = tmp_path / "danhmuc.csv"
    catalog.export_file(admin_ctx, out)
    rows = read_csv(out)
    for r in rows:
        if r["code"] == "1.004884":
            r["time_value"] = "7"
            r["fees"] = "Lệ phí đăng ký lại khai sinh | 5.000 | theo Nghị quyết HĐND tỉnh\nPhí bản sao | HĐND tỉnh"
    rows.append({**rows[0], "code": "1.888888", "name": "Thủ tục mới của tỉnh", "field": "ho tich",
                 "time_kind": "calendar_days", "time_value": "10"})
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=catalog.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    summary = catalog.import_file(admin_ctx, out)
    assert (summary.created, summary.updated) == (1, 1)
    changed = catalog.get_procedure(admin_ctx, "1.004884")
    assert changed.time_value == 7
    assert changed.fees == [{"name": "Lệ phí đăng ký lại khai sinh", "amount_vnd": 5000,
                             "note": "theo Nghị quyết HĐND tỉnh"},
                            {"name": "Phí bản sao", "amount_vnd": None, "note": None}]
    new = catalog.get_procedure(admin_ctx, "1.888888")
    assert new.field == "Hộ tịch" and new.time_kind == "calendar_days"


def test_a_file_with_only_some_columns_keeps_the_rest(admin_ctx, tmp_path):
    f = tmp_path / "it.csv"
    f.write_text(HEADER + "1.004884,Thủ tục đăng ký lại khai sinh,Hộ tịch,working_days,6\n", encoding="utf-8")
    before = catalog.get_procedure(admin_ctx, "1.004884")
    catalog.import_file(admin_ctx, f)
    after = catalog.get_procedure(admin_ctx, "1.004884")
    assert after.time_value == 6 and after.documents == before.documents and after.fees == before.fees


BAD_FILES = {
    "wrong column": ("code,ten,field,time_kind\n1.001193,Khai sinh,Hộ tịch,same_day\n",
                     ["Dòng 1", "cột không hợp lệ: ten", "thiếu cột: name"]),
    "unknown field": (HEADER + "1.001193,Khai sinh,Hộ tịch,same_day,\n1.000894,Kết hôn,Hôn nhân gia đình xyz,"
                      "same_day,\n", ["Dòng 3", "lĩnh vực 'Hôn nhân gia đình xyz'"]),
    "unknown time kind": (HEADER + "1.001193,Khai sinh,Hộ tịch,weeks,2\n", ["Dòng 2", "weeks"]),
    "negative processing time": (HEADER + "1.001193,Khai sinh,Hộ tịch,same_day,\n"
                                 "1.004884,Đăng ký lại khai sinh,Hộ tịch,working_days,-5\n",
                                 ["Dòng 3", "-5"]),
    "bad code": (HEADER + "1001193,Khai sinh,Hộ tịch,same_day,\n1.00119,Khai sinh,Hộ tịch,same_day,\n",
                 ["Dòng 2", "1001193", "Dòng 3", "1.00119"]),
    "duplicate code": (HEADER + "1.001193,Khai sinh,Hộ tịch,same_day,\n1.001193,Khai sinh,Hộ tịch,same_day,\n",
                       ["Dòng 3", "trùng với dòng 2"]),
    "bad documents": ("code,name,field,time_kind,documents\n1.001193,Khai sinh,Hộ tịch,same_day,"
                      "\"Tờ khai | bản photo | 1\"\n", ["Dòng 2", "bản photo"]),
    "bad fee": ("code,name,field,time_kind,fees\n1.001193,Khai sinh,Hộ tịch,same_day,\"Lệ phí | mười nghìn\"\n",
                ["Dòng 2", "mười nghìn"]),
    "cell outside the header": (HEADER + "1.001193,Khai sinh,Hộ tịch,same_day,,thừa\n", ["Dòng 2", "thừa"]),
    "header only": (HEADER, ["không có dòng dữ liệu"]),
    "empty": ("", ["trống"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_names_the_rows_and_imports_nothing(admin_ctx, tmp_path, case):
    text, expected = BAD_FILES[case]
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    before = snapshot(admin_ctx)
    with pytest.raises(ValidationError) as err:
        catalog.import_file(admin_ctx, f)
    for piece in expected:
        assert piece in str(err.value), (piece, str(err.value))
    assert snapshot(admin_ctx) == before


def test_good_rows_are_not_imported_when_another_row_is_bad(admin_ctx, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "1.777777,Thủ tục tốt,Hộ tịch,working_days,3\n"
                 "1.777778,Thủ tục xấu,Hộ tịch,working_days,-1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Dòng 3"):
        catalog.import_file(admin_ctx, f)
    assert not catalog.list_procedures(admin_ctx, "1.77777")


def test_broken_encoding_is_refused(admin_ctx, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes(HEADER.encode() + b"1.001193,Kh\xe1i sinh,H\xf4 t\xecch,same_day,\n")
    before = snapshot(admin_ctx)
    with pytest.raises(ValidationError, match="Dòng 2: tệp không đúng mã UTF-8"):
        catalog.import_file(admin_ctx, f)
    assert snapshot(admin_ctx) == before


def test_bad_rows_in_an_xlsx_file(admin_ctx, tmp_path):
    out = tmp_path / "danhmuc.xlsx"
    catalog.export_file(admin_ctx, out)
    wb = load_workbook(out)
    sheet = wb.active
    sheet.cell(row=5, column=catalog.COLUMNS.index("time_value") + 1, value=-2)
    sheet.cell(row=5, column=catalog.COLUMNS.index("time_kind") + 1, value="working_days")
    sheet.cell(row=9, column=catalog.COLUMNS.index("code") + 1, value="9.99")
    wb.save(out)
    before = snapshot(admin_ctx)
    with pytest.raises(ValidationError) as err:
        catalog.import_file(admin_ctx, out)
    assert "Dòng 5" in str(err.value) and "Dòng 9" in str(err.value)
    assert {n for n, _m in err.value.errors} == {"5", "9"}
    assert snapshot(admin_ctx) == before


def test_not_a_spreadsheet(admin_ctx, tmp_path):
    f = tmp_path / "bad.xlsx"
    f.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="Không đọc được tệp Excel"):
        catalog.import_file(admin_ctx, f)
    with pytest.raises(ValidationError, match=".csv hoặc .xlsx"):
        catalog.import_file(admin_ctx, tmp_path / "danhmuc.ods")
    wb = Workbook()
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(ValidationError, match="trống"):
        catalog.import_file(admin_ctx, tmp_path / "empty.xlsx")
