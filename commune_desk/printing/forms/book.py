"""The tracking book — SỔ THEO DÕI HỒ SƠ (TT 03/2025 Mẫu 07; TT 01/2018 Mẫu 06), A4
landscape, a year or any date range, with the book's continuous entry numbers (one
sequence per year, TT 01/2018 art. 10: the number given at intake, so a range shows the
same numbers as the full year). Also written as XLSX from the same column list.

Columns after FACTS.md 1.1 (Mẫu 06, [M], uncertain): every header is in :data:`COLUMNS`
and every other word in :data:`WORDING`, so a correction is local.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from commune_desk.printing.fonts import font_name
from commune_desk.printing.forms.common import CIRCULAR, OfficeWording, form_number
from commune_desk.printing.layout import Layout, esc, header, title

PAPER = "A4L"
GROUP = "Ngày, tháng, năm"

# (key, header, under the "Ngày, tháng, năm" group?, share of the width)
COLUMNS: list[tuple[str, str, bool, float]] = [
    ("number", "STT", False, 0.035),
    ("code", "Mã hồ sơ", False, 0.145),
    ("procedure", "Tên thủ tục hành chính", False, 0.11),
    ("sets", "Số lượng hồ sơ (bộ)", False, 0.04),
    ("applicant", "Tên cá nhân, tổ chức", False, 0.08),
    ("contact", "Địa chỉ, số điện thoại", False, 0.085),
    ("lead", "Cơ quan chủ trì giải quyết", False, 0.075),
    ("received", "Nhận hồ sơ", True, 0.06),
    ("due", "Hẹn trả kết quả", True, 0.06),
    ("sent", "Chuyển hồ sơ đến cơ quan giải quyết", True, 0.06),
    ("result", "Nhận kết quả từ cơ quan giải quyết", True, 0.06),
    ("returned", "Trả kết quả cho cá nhân, tổ chức", True, 0.06),
    ("signature", "Ký nhận", False, 0.05),
    ("note", "Ghi chú", False, 0.08),
]

WORDING = {
    "2025": {"form_no": "Mẫu số 07", "title": "SỔ THEO DÕI HỒ SƠ"},
    "2018": {"form_no": "Mẫu số 06", "title": "SỔ THEO DÕI HỒ SƠ"},
    "year": "Năm {year}",
    "range": "Từ ngày {start} đến ngày {end}",
    "volume": "Quyển số: {volume:02d}",
    "empty": "Không có hồ sơ nào được tiếp nhận trong thời gian này.",
    "sheet": "Sổ theo dõi hồ sơ",
}


@dataclass(frozen=True)
class BookEntry:
    book_year: int
    number: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    lead: str
    received: dt.date
    due: dt.date | None
    sent: dt.date | None
    result: dt.date | None
    returned: dt.date | None
    note: str = ""

    def cell(self, key: str) -> str:
        if key == "number":
            return f"{self.number:02d}"
        if key == "signature":
            return ""
        raw = getattr(self, key)
        if isinstance(raw, dt.date):
            return raw.strftime("%d/%m/%Y")
        return "" if raw is None else str(raw)


@dataclass(frozen=True)
class BookData:
    rules_set: str
    office: OfficeWording
    start: dt.date
    end: dt.date
    volume: int
    entries: list[BookEntry]


def period_text(start: dt.date, end: dt.date) -> str:
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        return WORDING["year"].format(year=start.year)
    return WORDING["range"].format(start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y"))


def table(layout: Layout, data: BookData) -> Table:
    head = layout.styles["cell_head"]
    cell, center = layout.styles["cell"], layout.styles["cell_center"]
    first = [Paragraph(esc(GROUP if grouped else name), head) for _k, name, grouped, _w in COLUMNS]
    second = [Paragraph(esc(name), head) if grouped else "" for _k, name, grouped, _w in COLUMNS]
    numbers = [Paragraph(f"({i})", center) for i in range(1, len(COLUMNS) + 1)]
    rows: list[list] = [first, second, numbers]
    for entry in data.entries:
        rows.append([Paragraph(esc(entry.cell(k)), center if grouped or k in ("number", "sets") else cell)
                     for k, _n, grouped, _w in COLUMNS])
    width = layout.frame_width
    t = Table(rows, colWidths=[width * w for *_rest, w in COLUMNS], repeatRows=3)
    group_cols = [i for i, c in enumerate(COLUMNS) if c[2]]
    style = [("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, 2), "MIDDLE"),
             ("VALIGN", (0, 3), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
             ("RIGHTPADDING", (0, 0), (-1, -1), 2),
             ("SPAN", (group_cols[0], 0), (group_cols[-1], 0))]
    style += [("SPAN", (i, 0), (i, 1)) for i, c in enumerate(COLUMNS) if not c[2]]
    t.setStyle(TableStyle(style))
    return t


def story(layout: Layout, data: BookData) -> list:
    w = WORDING[data.rules_set]
    s = layout.scale
    out: list = [
        form_number(layout, f"{w['form_no']} ({CIRCULAR[data.rules_set]})"),
        header(layout, parent_body=data.office.parent_body, issuing_unit=data.office.issuing_unit,
               number_line=None, place=data.office.place, day=None),
        *title(layout, w["title"], period_text(data.start, data.end)),
        layout.p(esc(WORDING["volume"].format(volume=data.volume)), "center"),
        Spacer(1, 4 * s),
        table(layout, data),
    ]
    if not data.entries:
        out.append(Spacer(1, 4 * s))
        out.append(layout.p(f"<i>{esc(WORDING['empty'])}</i>", "center"))
    return out


def build(data: BookData, target: str | Path) -> None:
    """The book as a PDF: A4 landscape, page numbers centred at the top from page 2."""
    layout = Layout(paper=PAPER, scale=0.8, margins_mm=(15, 12, 12, 20))
    top, right, bottom, left = layout.margins_mm
    title_text = f"{WORDING[data.rules_set]['title'].capitalize()} — {period_text(data.start, data.end)}"
    doc = BaseDocTemplate(str(target), pagesize=layout.pagesize, topMargin=top * mm, rightMargin=right * mm,
                          bottomMargin=bottom * mm, leftMargin=left * mm, creator="commune_desk",
                          author="commune_desk", title=title_text, subject=title_text)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="book",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def page_number(canvas, d) -> None:
        if d.page > 1:
            canvas.saveState()
            canvas.setFont(font_name(), 11)
            canvas.drawCentredString(d.pagesize[0] / 2, d.pagesize[1] - 8 * mm, str(d.page))
            canvas.restoreState()

    doc.addPageTemplates([PageTemplate("book", [frame], onPage=page_number)])
    doc.build(story(layout, data))


def write_xlsx(data: BookData, target: str | Path) -> None:
    """The same book as a spreadsheet: the same headers (merged as on paper), one row per entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = WORDING["sheet"]
    n = len(COLUMNS)
    last = get_column_letter(n)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    lines = [data.office.parent_body, data.office.issuing_unit.replace("\n", " "),
             WORDING[data.rules_set]["title"], period_text(data.start, data.end),
             WORDING["volume"].format(volume=data.volume)]
    for r, text_line in enumerate(lines, 1):
        ws.cell(row=r, column=1, value=text_line).font = Font(bold=r in (2, 3), size=13 if r == 3 else 11)
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
    h1, h2 = len(lines) + 2, len(lines) + 3
    group_cols = [i for i, c in enumerate(COLUMNS, 1) if c[2]]
    for i, (_key, name, grouped, share) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(6, round(share * 230))
        if grouped:
            ws.cell(row=h2, column=i, value=name)
        else:
            ws.cell(row=h1, column=i, value=name)
            ws.merge_cells(start_row=h1, start_column=i, end_row=h2, end_column=i)
    ws.cell(row=h1, column=group_cols[0], value=GROUP)
    ws.merge_cells(start_row=h1, start_column=group_cols[0], end_row=h1, end_column=group_cols[-1])
    for r in (h1, h2):
        for c in range(1, n + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = Font(bold=True), wrap, box
    for r, entry in enumerate(data.entries, h2 + 1):
        for c, (key, _name, grouped, _share) in enumerate(COLUMNS, 1):
            raw = getattr(entry, key, None) if key not in ("signature",) else None
            cell = ws.cell(row=r, column=c, value=raw if isinstance(raw, (int, dt.date)) else entry.cell(key))
            if isinstance(raw, dt.date):
                cell.number_format = "DD/MM/YYYY"
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="center" if grouped or key in ("number", "sets") else "left")
    ws.freeze_panes = ws.cell(row=h2 + 1, column=1)
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(str(target))
