"""The staff registry to and from XLSX: a trainer arrives with a spreadsheet.

Import checks the whole file first and writes nothing when any row is bad; the error names
every bad row by its spreadsheet row number. Officials are matched by their personal ID
number: a known number updates that official, a new one adds them. The header row may sit
under a title (the first ten rows are searched), column names are matched ignoring case
and accents, and columns the registry does not keep are reported, not imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from commune_desk.domain.calendar import local_today
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold, normalize
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.services import audit
from commune_desk.services.context import Ctx
from commune_desk.services.tabular import parse_date, raise_problems
from commune_desk.services.training import StaffInput, apply_staff, clean_staff
from commune_desk.store.models import Staff

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    key: str
    header: str                 # what export writes (Vietnamese; a file format, not UI text)
    aliases: tuple[str, ...]    # folded names accepted on import


COLUMNS = (
    Column("full_name", "Họ và tên", ("ho va ten", "ho ten", "ho va ten can bo", "ten can bo")),
    Column("id_number", "Số định danh cá nhân",
           ("so dinh danh ca nhan", "so dinh danh", "cccd", "so cccd", "can cuoc cong dan", "so can cuoc",
            "so cccd/cmnd", "so cmnd/cccd", "cmnd/cccd", "cccd/cmnd", "so cmnd")),
    Column("dob", "Ngày sinh", ("ngay sinh", "ngay thang nam sinh", "ngay, thang, nam sinh")),
    Column("position", "Chức vụ", ("chuc vu", "chuc danh")),
    Column("unit", "Đơn vị", ("don vi", "don vi cong tac", "bo phan", "co quan")),
    Column("job_position", "Vị trí việc làm", ("vi tri viec lam",)),
    Column("grade", "Ngạch công chức", ("ngach cong chuc", "ngach", "ngach, bac")),
    Column("phone", "Số điện thoại", ("so dien thoai", "dien thoai", "sdt")),
    Column("status", "Tình trạng", ("tinh trang", "trang thai")),
    Column("note", "Ghi chú", ("ghi chu",)),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
IGNORED = ("stt", "tt", "so thu tu", "so tt")
REQUIRED = ("full_name", "id_number")
ACTIVE_WORDS = {"", "dang cong tac", "con cong tac", "dang lam viec", "co"}
LEFT_WORDS = {"da nghi", "nghi", "nghi viec", "nghi huu", "chuyen cong tac", "khong"}
STATUS_TEXT = {True: "Đang công tác", False: "Đã nghỉ"}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _alias_map() -> dict[str, str]:
    out = {alias: c.key for c in COLUMNS for alias in c.aliases}
    out.update({fold(c.header): c.key for c in COLUMNS})
    return out


def _read_rows(path: Path) -> list[tuple[int, list[object]]]:
    """(spreadsheet row number, raw cell values) of the first sheet."""
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("Không tìm thấy tệp {file}.").format(file=path), field="file")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValidationError(_("Chỉ nhận tệp Excel .xlsx: {file}").format(file=path.name), field="file")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ValidationError(_("Không đọc được tệp Excel {file}: tệp hỏng hoặc không phải .xlsx.")
                              .format(file=path.name), field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        return [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize(str(value))


def _id_text(value: object) -> str:
    """An ID number typed into a number cell lost its leading zeros: a real number always
    starts with 0 (province code 001–096), so 10 or 11 digits are padded back to 12."""
    text = _text(value).replace(" ", "").replace(".", "")
    if isinstance(value, int | float) and text.isdigit() and len(text) in (10, 11):
        return text.zfill(12)
    if text.isdigit() and len(text) in (10, 11) and not text.startswith("0"):
        return text.zfill(12)
    return text


def _date(value: object) -> tuple[dt.date | None, bool]:
    """(date, ok): a date cell, dd/mm/yyyy or yyyy-mm-dd text; empty is (None, True)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, dt.datetime):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, True
    day = parse_date(_text(value))
    return day, day is not None


def _find_header(rows: list[tuple[int, list[object]]], path: Path) -> tuple[int, dict[int, str], list[str]]:
    """(header row number, column index -> key, names of columns not imported)."""
    aliases = _alias_map()
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        names = [fold(_text(c)) for c in cells]
        keys = {i: aliases[n] for i, n in enumerate(names) if n in aliases}
        if len(keys) < 2 and "full_name" not in keys.values():
            continue
        missing = [c.header for c in COLUMNS if c.key in REQUIRED and c.key not in keys.values()]
        doubled = sorted({COLUMNS_BY_KEY[k].header for k in keys.values() if list(keys.values()).count(k) > 1})
        problems = []
        if missing:
            problems.append(_("thiếu cột: {cols}").format(cols=", ".join(missing)))
        if doubled:
            problems.append(_("cột lặp lại: {cols}").format(cols=", ".join(doubled)))
        if problems:
            raise_problems([(number, "; ".join(problems))])
        ignored = [_text(cells[i]) for i, n in enumerate(names) if n and i not in keys and n not in IGNORED]
        return number, keys, ignored
    raise ValidationError(
        _("Tệp {file} không có dòng tiêu đề đúng mẫu: cần các cột “Họ và tên” và “Số định danh cá nhân” "
          "(xuất danh sách ra Excel để có tệp mẫu).").format(file=path.name), field="file")



def read_staff_file(path: Path, today: dt.date | None = None) -> tuple[list[tuple[int, StaffInput]], list[str]]:
    """Every row of the file cleaned and checked: raises a ValidationError naming each bad row."""
    path = Path(path)
    rows = _read_rows(path)
    if not any(any(_text(c) for c in cells) for _n, cells in rows):
        raise ValidationError(_("Tệp {file} trống.").format(file=path.name), field="file")
    header_row, keys, ignored = _find_header(rows, path)
    problems: list[tuple[int, str]] = []
    out: list[tuple[int, StaffInput]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        if number <= header_row:
            continue
        values = {key: cells[i] if i < len(cells) else None for i, key in keys.items()}
        if not any(_text(v) for v in values.values()):
            continue  # blank or numbered-only line
        row_problems: list[str] = []
        dob, dob_ok = _date(values.get("dob"))
        if not dob_ok:
            row_problems.append(_("ngày sinh “{value}” không đúng dạng ngày/tháng/năm").format(
                value=_text(values.get("dob"))))
        status = fold(_text(values.get("status")))
        active = status not in LEFT_WORDS
        if status not in ACTIVE_WORDS | LEFT_WORDS:
            row_problems.append(_("tình trạng “{value}” không rõ (ghi “Đang công tác” hoặc “Đã nghỉ”)").format(
                value=_text(values.get("status"))))
        id_number = _id_text(values.get("id_number"))
        if not id_number:
            row_problems.append(_("thiếu số định danh cá nhân"))
        data = StaffInput(full_name=_text(values.get("full_name")), id_number=id_number or None, dob=dob,
                          position=_text(values.get("position")), unit=_text(values.get("unit")),
                          job_position=_text(values.get("job_position")), grade=_text(values.get("grade")),
                          phone=_text(values.get("phone")), active=active, note=_text(values.get("note")))
        cleaned, field_problems = clean_staff(data, today)
        row_problems.extend(message.rstrip(".") for _field, message in field_problems)
        if cleaned.id_number and cleaned.id_number in seen:
            row_problems.append(_("trùng người với dòng {row} (cùng số định danh {number})").format(
                row=seen[cleaned.id_number], number=cleaned.id_number))
        elif cleaned.id_number:
            seen[cleaned.id_number] = number
        if row_problems:
            problems.append((number, "; ".join(row_problems)))
        else:
            out.append((number, cleaned))
    raise_problems(problems)
    if not out:
        raise ValidationError(_("Tệp {file} không có dòng dữ liệu nào.").format(file=path.name), field="file")
    return out, ignored


def import_staff_xlsx(ctx: Ctx, path: Path) -> ImportResult:
    """Add or update the officials of an XLSX file, all in one transaction (or nothing)."""
    ctx.require(Perm.TRAINING)
    rows, ignored = read_staff_file(Path(path))
    result = ImportResult(ignored_columns=ignored)
    with ctx.db.write() as s:
        known = {st.id_number: st for st in s.scalars(select(Staff).where(Staff.id_number.is_not(None)))}
        for _number, data in rows:
            row = known.get(data.id_number)
            if row is None:
                row = Staff()
                s.add(row)
                apply_staff(row, data)
                result.created += 1
                continue
            merged = _merge(row, data)
            before = _snapshot(row)
            apply_staff(row, merged)
            if _snapshot(row) == before:
                result.unchanged += 1
            else:
                result.updated += 1
    return result


def _merge(row: Staff, data: StaffInput) -> StaffInput:
    """An empty cell keeps what the registry already knows (a short sheet never erases)."""
    values = {name: getattr(data, name) if getattr(data, name) not in (None, "") else getattr(row, name)
              for name in ("full_name", "id_number", "dob", "position", "unit", "job_position", "grade", "phone",
                           "note")}
    left_on = row.left_on if not data.active else None
    if not data.active and row.active:
        left_on = local_today()
    return StaffInput(**values, active=data.active, left_on=left_on)


def _snapshot(row: Staff) -> tuple:
    return tuple(getattr(row, n) for n in ("full_name", "id_number", "dob", "position", "unit", "job_position",
                                          "grade", "phone", "active", "left_on", "note"))


def export_staff_xlsx(ctx: Ctx, path: Path, *, include_left: bool = True) -> int:
    """The registry as an XLSX file that import reads back. Returns the number of officials."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from commune_desk.services.training import list_staff

    ctx.require(Perm.TRAINING)
    people = list_staff(ctx, include_left=include_left)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cán bộ, công chức"
    sheet.append(["STT"] + [c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, p in enumerate(people, start=1):
        sheet.append([i, p.full_name, p.id_number or "", p.dob, p.position, p.unit, p.job_position, p.grade,
                      p.phone, STATUS_TEXT[p.active], p.note])
        row = i + 1  # (sheet.max_row scans every cell: quadratic on a long list)
        sheet.cell(row, 3).number_format = "@"          # an ID number keeps its leading zero
        sheet.cell(row, 4).number_format = "dd/mm/yyyy"
        sheet.cell(row, 9).number_format = "@"
    for letter, width in zip("ABCDEFGHIJK", (6, 28, 16, 12, 22, 24, 26, 22, 14, 16, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        workbook.save(tmp)
        tmp.replace(path)  # a half-written export never takes the place of a good file
    except OSError as exc:
        raise KnownError(_("Không ghi được tệp {path}: {error}").format(path=path, error=exc.strerror)) from exc
    audit.log(ctx, "export", path.name, {"what": "staff", "rows": len(people)})  # issue 8
    return len(people)


def describe(result: ImportResult) -> str:
    text = _("Đã nhập {total} người: {created} mới, {updated} cập nhật, {unchanged} không đổi.").format(
        total=result.total, created=result.created, updated=result.updated, unchanged=result.unchanged)
    if result.ignored_columns:
        text += " " + _("Các cột không dùng: {cols}.").format(cols=", ".join(result.ignored_columns))
    return text

