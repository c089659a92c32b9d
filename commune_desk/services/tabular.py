"""Reading and writing the tables administrators exchange: CSV (UTF-8) and XLSX.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Every check collects (row, problem) pairs so an import can name each bad row at
once, then :func:`raise_problems` refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from commune_desk.errors import ValidationError
from commune_desk.i18n import _

HEADER_ROW = 1
SUFFIXES = (".csv", ".xlsx")
MAX_LISTED = 50


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx: {file}").format(file=path.name), field="file")
    return suffix


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: Path) -> Table:
    """The header (lower-cased names) and the non-empty rows of a CSV or XLSX file."""
    suffix = _check_suffix(path)
    if not path.is_file():
        raise ValidationError(_("Không tìm thấy tệp {file}.").format(file=path), field="file")
    raw_rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    if not raw_rows or not any(c.strip() for c in raw_rows[0]):
        raise ValidationError(_("Tệp {file} trống: không có dòng tiêu đề.").format(file=path.name), field="file")
    header = [c.strip().lower() for c in raw_rows[0]]
    table = Table(path, header)
    for index, cells in enumerate(raw_rows[1:], start=HEADER_ROW + 1):
        if not any(c.strip() for c in cells):
            continue
        row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            row["\0extra"] = " | ".join(extra)
        table.rows.append((index, row))
    if not table.rows:
        raise ValidationError(_("Tệp {file} không có dòng dữ liệu nào.").format(file=path.name), field="file")
    return table


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            _("Dòng {row}: tệp không đúng mã UTF-8 (lỗi mã hóa ký tự). Hãy lưu lại tệp dạng "
              "\"CSV UTF-8\" rồi nhập lại; chưa nhập dòng nào.").format(row=line), field="file") from exc
    if "\x00" in text:
        raise ValidationError(_("Tệp {file} không phải tệp văn bản CSV.").format(file=path.name), field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ValidationError(_("Tệp CSV hỏng: {error}").format(error=exc), field="file") from exc


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ValidationError(_("Không đọc được tệp Excel {file}: tệp hỏng hoặc không phải .xlsx.")
                              .format(file=path.name), field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV (UTF-8 with BOM, so spreadsheet programs show Vietnamese) or an XLSX file."""
    suffix = _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if suffix == ".csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in r] for r in rows)
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(list(header))
        for r in rows:
            sheet.append(["" if v is None else v for v in r])
        workbook.save(tmp)
    tmp.replace(path)  # a half-written export never takes the place of a good file


# -- checking cells ------------------------------------------------------------------
def header_problems(table: Table, *, required: Sequence[str], allowed: Sequence[str]) -> list[tuple[int, str]]:
    """Unknown, duplicated or missing columns, as problems of row 1."""
    problems: list[str] = []
    unknown = [h or _("(trống)") for h in table.header if h not in allowed]
    if unknown:
        problems.append(_("cột không hợp lệ: {cols} (các cột được phép: {allowed})")
                        .format(cols=", ".join(unknown), allowed=", ".join(allowed)))
    doubled = sorted({h for h in table.header if h and table.header.count(h) > 1})
    if doubled:
        problems.append(_("cột lặp lại: {cols}").format(cols=", ".join(doubled)))
    missing = [c for c in required if c not in table.header]
    if missing:
        problems.append(_("thiếu cột: {cols}").format(cols=", ".join(missing)))
    out = [(HEADER_ROW, "; ".join(problems))] if problems else []
    for number, cells in table.rows:
        if "\0extra" in cells:
            out.append((number, _("có ô dữ liệu nằm ngoài các cột tiêu đề: {cells}")
                        .format(cells=cells["\0extra"])))
    return out


def raise_problems(problems: list[tuple[int, str]]) -> None:
    """One ValidationError naming every bad row (nothing has been written yet)."""
    if not problems:
        return
    problems = sorted(problems)
    listed = [_("Dòng {row}: {problem}").format(row=n, problem=p) for n, p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        listed.append(_("và {n} dòng lỗi khác").format(n=len(problems) - MAX_LISTED))
    raise ValidationError(
        _("Tệp có {n} dòng lỗi, chưa nhập dòng nào. {details}").format(n=len(problems), details=" · ".join(listed)),
        errors=[(str(n), p) for n, p in problems])


_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY (as Vietnamese spreadsheets write it); None if neither."""
    text = (text or "").strip()
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        m = _DATE_DMY.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


TRUE_WORDS = {"1", "x", "true", "yes", "có", "co", "đúng", "c"}
FALSE_WORDS = {"", "0", "false", "no", "không", "khong", "k"}


def parse_bool(text: str) -> bool | None:
    """có/không, x/empty, 1/0, true/false; None if it is none of them."""
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_int(text: str) -> int | None:
    """A plain integer ("3", "-2"); None if the text is anything else."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


_AMOUNT = re.compile(r"^-?\d{1,3}(?:[.,\s]\d{3})+$")


def parse_amount(text: str) -> int | None:
    """A sum of money in đồng, plain or with thousands separators ("8.000", "200,000")."""
    text = (text or "").strip().removesuffix("đ").removesuffix("đồng").strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if _AMOUNT.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    return None
