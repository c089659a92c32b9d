"""The report as a PDF: A4 landscape (the table is wide), Decree 30/2020 heading, title,
the periodic table with merged header groups, satisfaction, scores, training, notes and the
signature block "NGƯỜI LẬP BIỂU" / "THỦ TRƯỞNG ĐƠN VỊ". Built on ``printing.layout``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from commune_desk.domain.calendar import to_local
from commune_desk.printing.fonts import font_name
from commune_desk.printing.layout import Layout, esc, header, signatures, title
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

Progress = Callable[[int, int], None]
GREY = (0.87, 0.9, 0.94)
LIGHT = (0.95, 0.95, 0.95)


class _Styles:
    def __init__(self, size: float = 8.5) -> None:
        base = dict(fontName=font_name(), fontSize=size, leading=size * 1.18)
        self.cell = ParagraphStyle("rc", alignment=TA_CENTER, **base)
        self.cell_left = ParagraphStyle("rl", alignment=TA_LEFT, **base)
        self.head = ParagraphStyle("rh", alignment=TA_CENTER, **{**base, "fontName": font_name("bold")})
        self.bold = ParagraphStyle("rb", alignment=TA_CENTER, **{**base, "fontName": font_name("bold")})
        self.bold_left = ParagraphStyle("rbl", alignment=TA_LEFT, **{**base, "fontName": font_name("bold")})
        self.section = ParagraphStyle("rs", fontName=font_name("bold"), fontSize=12, leading=15, spaceBefore=8,
                                      spaceAfter=4)
        self.body = ParagraphStyle("rbody", fontName=font_name(), fontSize=12, leading=15, spaceAfter=2)
        self.note = ParagraphStyle("rn", fontName=font_name("italic"), fontSize=10, leading=12.5, spaceAfter=1)
        self.centre_italic = ParagraphStyle("rci", fontName=font_name("italic"), fontSize=12.5, leading=15,
                                            alignment=TA_CENTER)


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(esc(text), style)


def _value(row: Row, key: str, percent: bool) -> str:
    return texts.percent(row.counts.rate) if percent else texts.number(row.counts.cell(key))


def _wide_table(layout: Layout, st: _Styles, rows: list[Row], name_label: str,
                extra: list[tuple[str, dict[str, str]]]) -> Table:
    """The periodic table: two header rows with merged groups, a numbering row, data, total."""
    lead = [STT_LABEL, name_label] + [label for label, _values in extra]
    n_lead = len(lead)
    top: list[object] = [_p(x, st.head) for x in lead]
    second: list[object] = [""] * n_lead
    spans: list[tuple] = [("SPAN", (c, 0), (c, 1)) for c in range(n_lead)]
    c = n_lead
    i = 0
    while i < len(COLUMNS):
        col = COLUMNS[i]
        if col.group:
            span = 1
            while i + span < len(COLUMNS) and COLUMNS[i + span].group == col.group:
                span += 1
            top.append(_p(col.group, st.head))
            top.extend([""] * (span - 1))
            second.extend(_p(COLUMNS[i + k].label, st.head) for k in range(span))
            spans.append(("SPAN", (c, 0), (c + span - 1, 0)))
        else:
            span = 1
            top.append(_p(col.label, st.head))
            second.append("")
            spans.append(("SPAN", (c, 0), (c, 1)))
        c += span
        i += span
    numbering = [_p(f"({k})", st.cell) for k in range(1, c + 1)]
    body = [top, second, numbering]
    styles: list[tuple] = []
    for r, row in enumerate(rows, start=3):
        strong = row.level in (FIELD, TOTAL)
        label = row.label
        cells: list[object] = [_p(row.stt, st.bold if strong else st.cell),
                               _p(label, st.bold_left if strong else st.cell_left)]
        for _label, values in extra:
            cells.append(_p(values.get(row.code or "", "") if row.level != TOTAL else "", st.cell))
        cells.extend(_p(_value(row, col.key, col.percent), st.bold if strong else st.cell) for col in COLUMNS)
        body.append(cells)
        if row.level == TOTAL:
            styles.append(("BACKGROUND", (0, r), (-1, r), LIGHT))
    width = layout.frame_width
    name_w = 0.20 if not extra else 0.15
    lead_w = [0.035, name_w] + [0.075] * len(extra)
    rest = (1 - sum(lead_w)) / len(COLUMNS)
    table = Table(body, colWidths=[width * w for w in lead_w + [rest] * len(COLUMNS)], repeatRows=3)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 1), GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        *spans, *styles,
    ]))
    return table


def _small_table(layout: Layout, st: _Styles, headers: list[str], rows: list[list[object]],
                 ratios: list[float]) -> Table:
    body = [[_p(h, st.head) for h in headers]]
    for values in rows:
        body.append([_p(texts.DASH if v is None else v, st.cell_left if i == 1 else st.cell)
                     for i, v in enumerate(values)])
    table = Table(body, colWidths=[layout.frame_width * r for r in ratios], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _one_decimal(value: float | None) -> str:
    return texts.percent(value, 1)


def _satisfaction(layout: Layout, st: _Styles, report: Report) -> list:
    s = report.satisfaction
    out: list = [CondPageBreak(60), _p("II. MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, DOANH NGHIỆP", st.section)]
    out.append(_p(f"Tỷ lệ hồ sơ quá hạn: {texts.percent(s.overdue_rate)}%; tỷ lệ hồ sơ có phản ánh, kiến nghị "
                  f"hoặc không hài lòng: {texts.percent(s.complaint_rate)}% ({texts.number(s.complained)} hồ sơ); "
                  f"mức độ hài lòng (Quyết định 766/QĐ-TTg): {texts.percent(s.figure)}%"
                  + (" — đạt điểm tối đa (từ 90% trở lên)." if s.full_points else "."), st.body))
    out.append(_p(f"Số lượt đánh giá trong kỳ: {texts.number(s.ratings)}.", st.body))
    if report.criteria:
        rows = [[i, c.label, texts.number(c.count), texts.percent(c.average), f"0–{c.scale_max}"
                 if c.scale_max == 2 else "1–5", texts.percent(c.satisfied_rate)]
                for i, c in enumerate(report.criteria, start=1)]
        out.append(_small_table(layout, st, ["STT", "Tiêu chí", "Số lượt", "Điểm bình quân", "Thang điểm",
                                             "Tỷ lệ hài lòng (%)"], rows, [0.05, 0.5, 0.1, 0.12, 0.1, 0.13]))
    if report.is_hub and len(report.office_codes) > 1:
        out.append(Spacer(1, 6))
        rows = []
        for i, code in enumerate(report.office_codes, start=1):
            one = report.office_satisfaction[code]
            rows.append([i, report.office_names.get(code, code), texts.number(one.handled),
                         texts.percent(one.overdue_rate), texts.percent(one.complaint_rate),
                         texts.percent(one.figure)])
        out.append(_small_table(layout, st, ["STT", "Xã", "Số hồ sơ", "Tỷ lệ quá hạn (%)", "Tỷ lệ phản ánh (%)",
                                             "Mức độ hài lòng (%)"], rows, [0.05, 0.4, 0.12, 0.14, 0.14, 0.15]))
    return out


def _scores(layout: Layout, st: _Styles, report: Report) -> list:
    out: list = [CondPageBreak(60), _p("III. KẾT QUẢ CHẤM ĐIỂM (THÔNG TƯ 01/2018/TT-VPCP)", st.section)]
    out.append(_p("1. Đánh giá cán bộ, công chức (theo hồ sơ đã giải quyết trong kỳ)", st.body))
    if not report.officer_scores:
        out.append(_p("Không có hồ sơ đã giải quyết trong kỳ.", st.body))
    else:
        numbers = [i.number for i in report.officer_scores[0].indices]
        rows = [[i, o.name, texts.number(o.dossiers), *[_one_decimal(x.value) for x in o.indices],
                 _one_decimal(o.total), o.rating] for i, o in enumerate(report.officer_scores, start=1)]
        ratio = [0.04, 0.2, 0.07] + [0.06] * len(numbers) + [0.08, 0.25]
        out.append(_small_table(layout, st, ["STT", "Cán bộ", "Số hồ sơ", *[f"Chỉ số {n}" for n in numbers],
                                             "Tổng điểm", "Xếp loại"], rows, ratio))
        out.append(Spacer(1, 6))
    out.append(_p("2. Đánh giá đơn vị", st.body))
    rows = [[i, u.office_name, texts.number(u.dossiers), *[_one_decimal(x.value) for x in u.indices],
             _one_decimal(u.total), u.rating] for i, u in enumerate(report.unit_scores, start=1)]
    ratio = [0.04, 0.18, 0.07] + [0.055] * 9 + [0.08, 0.135]
    out.append(_small_table(layout, st, ["STT", "Đơn vị", "Số hồ sơ", *[f"Chỉ số {n}" for n in range(1, 10)],
                                         "Tổng điểm", "Xếp loại"], rows, ratio))
    return out


def _training(layout: Layout, st: _Styles, report: Report) -> list:
    t = report.training
    out: list = [CondPageBreak(60), _p(f"IV. ĐÀO TẠO, BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC NĂM {t.year}", st.section)]
    if not t.available:
        return out + [_p("Chưa có dữ liệu bồi dưỡng.", st.body)]
    out.append(_p(f"Số cán bộ, công chức: {texts.number(t.staff)}; đã được bồi dưỡng trong năm: "
                  f"{texts.number(t.trained)}; đạt tối thiểu {t.minimum_periods} tiết/năm: "
                  f"{texts.number(t.meeting_minimum)} (tính đến ngày {report.period.end:%d/%m/%Y}).", st.body))
    out.append(_p(f"Cán bộ làm việc tại bộ phận một cửa: {texts.number(t.desk_staff)}, trong đó đã được bồi "
                  f"dưỡng kỹ năng một cửa: {texts.number(t.desk_staff_one_stop)}.", st.body))
    if t.by_type or t.by_topic:
        rows = [[i, k, texts.number(n), texts.number(p)] for i, (k, n, p) in enumerate(t.by_type, start=1)]
        rows += [[f"CĐ{i}", f"Chủ đề: {k}", texts.number(n), texts.number(p)]
                 for i, (k, n, p) in enumerate(t.by_topic, start=1)]
        out.append(KeepTogether([_small_table(layout, st, ["STT", "Loại khóa, chủ đề", "Số khóa", "Số lượt người"],
                                              rows, [0.06, 0.6, 0.12, 0.14])]))
    return out


def write_pdf(report: Report, path: Path, *, progress: Progress | None = None) -> None:
    tick = progress or (lambda _d, _t: None)
    layout = Layout(paper="A4L", margins_mm=(20, 15, 18, 25))
    st = _Styles()
    day = to_local(report.generated_at).date()
    story: list = [
        header(layout, parent_body=report.parent_body, issuing_unit=report.issuer,
               number_line="Số:          /BC", place=report.place, day=day),
        Spacer(1, 6),
        *title(layout, texts.TITLE, texts.SUBTITLE),
        _p(report.period.title_vi(), ParagraphStyle("pt", parent=st.centre_italic, fontName=font_name("bold"))),
        _p(report.period.span_vi(), st.centre_italic),
        _p(texts.unit_line(report), st.centre_italic),
        Spacer(1, 8),
        _p("I. TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", st.section),
        _wide_table(layout, st, report.rows, NAME_LABEL, []),
    ]
    tick(1, 4)
    if report.is_hub:
        fresh = {f.office_code: texts.freshness_text(f) for f in report.freshness}
        story += [CondPageBreak(80), _p("Tổng hợp theo xã (số liệu đến ngày nhận gói đồng bộ gần nhất)", st.section),
                  _wide_table(layout, st, report.office_rows, OFFICE_LABEL, [(FRESHNESS_LABEL, fresh)])]
    story += _satisfaction(layout, st, report)
    story += _scores(layout, st, report)
    story += _training(layout, st, report)
    tick(2, 4)
    notes = [_p("Ghi chú:", ParagraphStyle("nh", parent=st.note, fontName=font_name("bolditalic")))]
    notes += [_p(f"- {n}", st.note) for n in report.notes]
    story += [Spacer(1, 8), *notes, Spacer(1, 10),
              KeepTogether([signatures(layout, [(*texts.SIGN_LEFT, None), (*texts.SIGN_RIGHT, None)])])]
    layout.build(path, story, title=f"Báo cáo tình hình, kết quả giải quyết TTHC - {report.period.title_vi()}")
    tick(4, 4)
