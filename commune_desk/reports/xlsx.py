"""The report as an Excel workbook, laid out as provincial offices expect: heading, title,
period and unit, two header rows with merged groups, column numbers, the field and
procedure rows, a totals row, number formats, column widths, a frozen header, A4 landscape
page set-up and the signature block. One sheet per part of the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from commune_desk.domain.calendar import to_local
from commune_desk.printing.layout import MOTTO_1, MOTTO_2, place_date
from commune_desk.reports import texts
from commune_desk.reports.model import (
    COLUMNS,
    FIELD,
    FRESHNESS_LABEL,
    NAME_LABEL,
    OFFICE_LABEL,
    STT_LABEL,
    TOTAL,
    Report,
    Row,
)

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
INT_FORMAT = "#,##0"
RATE_FORMAT = "0.00"
Progress = Callable[[int, int], None]


def _font(size: float = 12, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _merge_text(ws: Worksheet, row: int, first: int, last: int, text: str, *, size: float = 12,
                bold: bool = False, italic: bool = False, align: Alignment = CENTER) -> None:
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=text)
    cell.font = _font(size, bold, italic)
    cell.alignment = align


def _heading(ws: Worksheet, report: Report, width: int, title: str) -> int:
    """Decree 30 heading, title, period and unit; returns the next free row."""
    split = max(2, width * 2 // 5)
    _merge_text(ws, 1, 1, split, report.parent_body.upper())
    _merge_text(ws, 2, 1, split, report.issuer.replace("\n", " ").upper(), bold=True)
    _merge_text(ws, 1, split + 1, width, MOTTO_1, bold=True)
    _merge_text(ws, 2, split + 1, width, MOTTO_2, bold=True)
    day = to_local(report.generated_at).date()
    _merge_text(ws, 3, split + 1, width, place_date(report.place, day), italic=True)
    _merge_text(ws, 5, 1, width, title, size=14, bold=True)
    _merge_text(ws, 6, 1, width, report.period.title_vi(), size=13, bold=True)
    _merge_text(ws, 7, 1, width, report.period.span_vi(), italic=True)
    _merge_text(ws, 8, 1, width, texts.unit_line(report), italic=True)
    return 10


def _boxed(cell, *, bold: bool = False, fill: PatternFill | None = None, align: Alignment = CENTER,
           size: float = 11, number_format: str | None = None) -> None:
    cell.border = BOX
    cell.font = _font(size, bold)
    cell.alignment = align
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format


def _table_header(ws: Worksheet, top: int, name_label: str, extra: list[str]) -> int:
    """Two header rows with merged groups, then the (1), (2), … numbering row."""
    labels = [STT_LABEL, name_label] + extra
    for col, label in enumerate(labels, start=1):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        _boxed(ws.cell(row=top, column=col, value=label), bold=True, fill=HEAD_FILL)
        _boxed(ws.cell(row=top + 1, column=col), fill=HEAD_FILL)
    col = len(labels) + 1
    i = 0
    while i < len(COLUMNS):
        column = COLUMNS[i]
        span = 1
        if column.group:
            while i + span < len(COLUMNS) and COLUMNS[i + span].group == column.group:
                span += 1
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
            _boxed(ws.cell(row=top, column=col, value=column.group), bold=True, fill=HEAD_FILL)
            for k in range(span):
                _boxed(ws.cell(row=top, column=col + k), fill=HEAD_FILL)
                _boxed(ws.cell(row=top + 1, column=col + k, value=COLUMNS[i + k].label), bold=True,
                       fill=HEAD_FILL)
        else:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            _boxed(ws.cell(row=top, column=col, value=column.label), bold=True, fill=HEAD_FILL)
            _boxed(ws.cell(row=top + 1, column=col), fill=HEAD_FILL)
        col += span
        i += span
    for c in range(1, col):
        _boxed(ws.cell(row=top + 2, column=c, value=f"({c})"), size=10)
    ws.row_dimensions[top].height = 32
    ws.row_dimensions[top + 1].height = 48
    return top + 3


def _data_row(ws: Worksheet, r: int, row: Row, extra: list[object]) -> None:
    strong = row.level in (FIELD, TOTAL)
    fill = TOTAL_FILL if row.level == TOTAL else None
    label = row.label
    if row.level not in (FIELD, TOTAL) and row.code and not extra:
        label = f"{row.label} ({row.code})"
    cells: list[object] = [row.stt, label] + extra
    for col, value in enumerate(cells, start=1):
        _boxed(ws.cell(row=r, column=col, value=value), bold=strong, fill=fill,
               align=LEFT if col == 2 else CENTER)
    for k, column in enumerate(COLUMNS):
        value = texts.rounded(row.counts.rate) if column.percent else row.counts.cell(column.key)
        _boxed(ws.cell(row=r, column=len(cells) + 1 + k, value=value if value is not None else texts.DASH),
               bold=strong, fill=fill, number_format=RATE_FORMAT if column.percent else INT_FORMAT)


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _page(ws: Worksheet, header_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.page_margins.left = 0.6
    ws.page_margins.right = 0.4


def _signatures(ws: Worksheet, r: int, width: int) -> None:
    half = width // 2
    for (title, note), (first, last) in ((texts.SIGN_LEFT, (1, half)), (texts.SIGN_RIGHT, (half + 1, width))):
        _merge_text(ws, r, first, last, title, bold=True)
        _merge_text(ws, r + 1, first, last, note, italic=True)


def _notes(ws: Worksheet, r: int, width: int, report: Report) -> int:
    _merge_text(ws, r, 1, width, "Ghi chú:", bold=True, italic=True, align=LEFT)
    for note in report.notes:
        r += 1
        _merge_text(ws, r, 1, width, f"- {note}", size=11, italic=True, align=LEFT)
        ws.row_dimensions[r].height = 30
    return r + 2


def _main_sheet(ws: Worksheet, report: Report) -> None:
    width = 2 + len(COLUMNS)
    top = _heading(ws, report, width, texts.TABLE_TITLE)
    first = _table_header(ws, top, NAME_LABEL, [])
    r = first
    for row in report.rows:
        _data_row(ws, r, row, [])
        r += 1
    ws.freeze_panes = ws.cell(row=first, column=3)
    _widths(ws, [6, 46] + [10.5] * (len(COLUMNS) - 1) + [11])
    _page(ws, f"{top}:{first - 1}")
    _signatures(ws, _notes(ws, r + 1, width, report), width)


def _office_sheet(ws: Worksheet, report: Report) -> None:
    width = 3 + len(COLUMNS)
    top = _heading(ws, report, width, "TỔNG HỢP THEO XÃ (SO SÁNH CÁC XÃ)")
    first = _table_header(ws, top, OFFICE_LABEL, [FRESHNESS_LABEL])
    fresh = {f.office_code: texts.freshness_text(f) for f in report.freshness}
    r = first
    for row in report.office_rows:
        _data_row(ws, r, row, ["" if row.level == TOTAL else fresh.get(row.code or "", "")])
        r += 1
    ws.freeze_panes = ws.cell(row=first, column=3)
    _widths(ws, [6, 30, 16] + [10.5] * (len(COLUMNS) - 1) + [11])
    _page(ws, f"{top}:{first - 1}")
    _signatures(ws, r + 2, width)


def _simple_table(ws: Worksheet, top: int, headers: list[str], rows: list[list[object]],
                  formats: list[str | None], total_last: bool = False) -> int:
    for col, label in enumerate(headers, start=1):
        _boxed(ws.cell(row=top, column=col, value=label), bold=True, fill=HEAD_FILL)
    ws.row_dimensions[top].height = 36
    r = top + 1
    for i, values in enumerate(rows):
        strong = total_last and i == len(rows) - 1
        for col, value in enumerate(values, start=1):
            _boxed(ws.cell(row=r, column=col, value=texts.DASH if value is None else value), bold=strong,
                   align=LEFT if col == 2 else CENTER, number_format=formats[col - 1],
                   fill=TOTAL_FILL if strong else None)
        r += 1
    return r + 1


def _section(ws: Worksheet, r: int, width: int, text: str) -> int:
    _merge_text(ws, r, 1, width, text, size=12, bold=True, align=LEFT)
    return r + 1


def _satisfaction_sheet(ws: Worksheet, report: Report) -> None:
    width = 6
    r = _heading(ws, report, width, "KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG")
    s = report.satisfaction
    r = _section(ws, r, width, "1. Mức độ hài lòng trong tiếp nhận, giải quyết TTHC (Quyết định 766/QĐ-TTg)")
    rows = [[1, "Số hồ sơ nhận giải quyết", s.handled], [2, "Số hồ sơ quá hạn", s.overdue],
            [3, "Tỷ lệ quá hạn (%)", texts.rounded(s.overdue_rate)],
            [4, "Số hồ sơ có phản ánh, kiến nghị hoặc không hài lòng", s.complained],
            [5, "Tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc không hài lòng (%)", texts.rounded(s.complaint_rate)],
            [6, "Mức độ hài lòng = 100% − (2) − (4) (%)", texts.rounded(s.figure)],
            [7, "Số lượt đánh giá trong kỳ", s.ratings]]
    r = _simple_table(ws, r, ["STT", "Chỉ tiêu", "Giá trị"],
                      rows, [None, None, "#,##0.00"])
    for row in range(r - 1 - len(rows), r - 1):
        cell = ws.cell(row=row, column=3)
        if isinstance(cell.value, int):
            cell.number_format = INT_FORMAT
    r = _section(ws, r, width, "2. Kết quả đánh giá theo từng tiêu chí (Nghị định 118/2025/NĐ-CP, Điều 33)")
    rows = [[i, c.label, c.count, texts.rounded(c.average), f"0–{c.scale_max}" if c.scale_max == 2 else "1–5",
             texts.rounded(c.satisfied_rate)] for i, c in enumerate(report.criteria, start=1)]
    r = _simple_table(ws, r, ["STT", "Tiêu chí", "Số lượt đánh giá", "Điểm bình quân", "Thang điểm",
                              "Tỷ lệ hài lòng (%)"], rows, [None, None, INT_FORMAT, "0.00", None, "0.00"])
    if report.is_hub:
        r = _section(ws, r, width, "3. Mức độ hài lòng theo xã")
        rows = []
        for i, code in enumerate(report.office_codes, start=1):
            one = report.office_satisfaction[code]
            rows.append([i, report.office_names.get(code, code), one.handled, texts.rounded(one.overdue_rate),
                         texts.rounded(one.complaint_rate), texts.rounded(one.figure)])
        r = _simple_table(ws, r, ["STT", "Xã", "Số hồ sơ", "Tỷ lệ quá hạn (%)", "Tỷ lệ phản ánh (%)",
                                  "Mức độ hài lòng (%)"], rows, [None, None, INT_FORMAT, "0.00", "0.00", "0.00"])
    _widths(ws, [6, 60, 16, 16, 14, 18])
    _signatures(ws, r + 1, width)


def _scores_sheet(ws: Worksheet, report: Report) -> None:
    width = 12
    r = _heading(ws, report, width, "KẾT QUẢ CHẤM ĐIỂM THEO THÔNG TƯ 01/2018/TT-VPCP")
    r = _section(ws, r, width, "1. Đánh giá cán bộ, công chức")
    if report.officer_scores:
        numbers = [i.number for i in report.officer_scores[0].indices]
        rows = [[i, o.name, o.dossiers, *[x.value for x in o.indices], o.total, o.rating]
                for i, o in enumerate(report.officer_scores, start=1)]
        r = _simple_table(ws, r, ["STT", "Cán bộ", "Số hồ sơ", *[f"Chỉ số {n}" for n in numbers], "Tổng điểm",
                                  "Xếp loại"], rows,
                          [None, None, INT_FORMAT, *["0.0"] * len(numbers), "0.0", None])
    else:
        r = _section(ws, r, width, "Không có hồ sơ đã giải quyết trong kỳ.") + 1
    r = _section(ws, r, width, "2. Đánh giá đơn vị")
    rows = [[i, u.office_name, u.dossiers, *[x.value for x in u.indices], u.total, u.rating]
            for i, u in enumerate(report.unit_scores, start=1)]
    r = _simple_table(ws, r, ["STT", "Đơn vị", "Số hồ sơ", *[f"Chỉ số {n}" for n in range(1, 10)], "Tổng điểm",
                              "Xếp loại"], rows, [None, None, INT_FORMAT, *["0.0"] * 9, "0.0", None])
    _widths(ws, [6, 32, 10] + [9] * 9 + [10, 34])
    _page(ws, "1:1")
    _signatures(ws, r + 1, width)


def _training_sheet(ws: Worksheet, report: Report) -> None:
    t = report.training
    width = 5
    r = _heading(ws, report, width, f"KẾT QUẢ ĐÀO TẠO, BỒI DƯỠNG NĂM {t.year}")
    if not t.available:
        _section(ws, r, width, "Chưa có dữ liệu bồi dưỡng.")
        return
    r = _section(ws, r, width, f"1. Tổng hợp (tính đến ngày {texts_day(report)})")
    r = _simple_table(ws, r, ["STT", "Chỉ tiêu", "Số lượng"], [
        [1, "Số cán bộ, công chức", t.staff],
        [2, "Số người đã được bồi dưỡng trong năm", t.trained],
        [3, f"Số người đạt tối thiểu {t.minimum_periods} tiết/năm", t.meeting_minimum],
        [4, "Số cán bộ làm việc tại bộ phận một cửa", t.desk_staff],
        [5, "Trong đó: đã được bồi dưỡng kỹ năng một cửa", t.desk_staff_one_stop],
    ], [None, None, INT_FORMAT])
    r = _section(ws, r, width, "2. Khóa bồi dưỡng theo loại")
    r = _simple_table(ws, r, ["STT", "Loại khóa", "Số khóa", "Số lượt người"],
                      [[i, k, n, p] for i, (k, n, p) in enumerate(t.by_type, start=1)],
                      [None, None, INT_FORMAT, INT_FORMAT])
    r = _section(ws, r, width, "3. Khóa bồi dưỡng theo chủ đề")
    r = _simple_table(ws, r, ["STT", "Chủ đề", "Số khóa", "Số lượt người"],
                      [[i, k, n, p] for i, (k, n, p) in enumerate(t.by_topic, start=1)],
                      [None, None, INT_FORMAT, INT_FORMAT])
    r = _section(ws, r, width, f"4. Số tiết bồi dưỡng của từng người (tối thiểu {t.minimum_periods} tiết/năm)")
    r = _simple_table(ws, r, ["STT", "Họ và tên", "Vị trí việc làm", "Số tiết", "Đạt tối thiểu"],
                      [[i, name, pos, periods, "Đạt" if periods >= t.minimum_periods else "Chưa đạt"]
                       for i, (name, pos, periods) in enumerate(t.people, start=1)],
                      [None, None, None, "0", None])
    _widths(ws, [6, 44, 30, 14, 14])
    _signatures(ws, r + 1, width)


def texts_day(report: Report) -> str:
    return report.period.end.strftime("%d/%m/%Y")


def _trend_sheet(ws: Worksheet, report: Report) -> None:
    width = 4
    r = _heading(ws, report, width, "TỶ LỆ GIẢI QUYẾT ĐÚNG HẠN THEO THÁNG")
    head = r
    r = _simple_table(ws, r, ["STT", "Tháng", "Số hồ sơ nhận giải quyết", "Tỷ lệ đúng hạn (%)"],
                      [[i, p.period.title_vi(), p.received, texts.rounded(p.rate)]
                       for i, p in enumerate(report.trend, start=1)], [None, None, INT_FORMAT, "0.00"])
    _widths(ws, [6, 24, 18, 18])
    chart = LineChart()
    chart.title = "Tỷ lệ đúng hạn (%)"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.height, chart.width = 8, 18
    data = Reference(ws, min_col=4, min_row=head, max_row=head + len(report.trend))
    cats = Reference(ws, min_col=2, min_row=head + 1, max_row=head + len(report.trend))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    ws.add_chart(chart, f"F{head}")
    del r


def write_xlsx(report: Report, path: Path, *, progress: Progress | None = None) -> None:
    tick = progress or (lambda _d, _t: None)
    wb = Workbook()
    main = wb.active
    main.title = "Giải quyết TTHC"
    _main_sheet(main, report)
    tick(1, 6)
    if report.is_hub:
        _office_sheet(wb.create_sheet("Theo xã"), report)
    _satisfaction_sheet(wb.create_sheet("Hài lòng"), report)
    tick(2, 6)
    _scores_sheet(wb.create_sheet("Chấm điểm"), report)
    tick(3, 6)
    _training_sheet(wb.create_sheet("Bồi dưỡng"), report)
    tick(4, 6)
    _trend_sheet(wb.create_sheet("Theo tháng"), report)
    wb.properties.title = f"{texts.TABLE_TITLE} - {report.period.title_vi()}"
    wb.properties.creator = "commune_desk"
    tick(5, 6)
    wb.save(path)
    tick(6, 6)
