"""Building blocks of an administrative document laid out as Decree 30/2020 asks
(FACTS.md section 6): the agency block top left, the national motto top right, the place
and date in italics, the title, signature blocks, "Nơi nhận". Every form is made from
these, so a layout correction is made once.

Sizes are given for A4; ``Layout.scale`` shrinks type a little for A5 slips.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commune_desk.printing.fonts import font_name, register_fonts

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"

PAPER = {"A4": A4, "A5": A5, "A4L": landscape(A4), "A5L": landscape(A5)}


def esc(text: object) -> str:
    """Text for a Paragraph (which reads a little XML)."""
    return escape("" if text is None else str(text))


def vn_date(day: dt.date) -> str:
    """'ngày 05 tháng 02 năm 2026': days below 10 and months 1–2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: dt.date) -> str:
    return f"{place}, {vn_date(day)}" if place else vn_date(day).capitalize()


def vn_time(moment: dt.datetime) -> str:
    """'14 giờ 05 phút, ngày 13 tháng 02 năm 2026' (moment already in local time)."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {vn_date(moment.date())}"


def money(vnd: int | None) -> str:
    if vnd is None:
        return "theo quy định của HĐND tỉnh"
    return f"{vnd:,}".replace(",", ".") + " đồng"


@dataclass
class Layout:
    """Page and type for one document."""

    paper: str = "A4"
    scale: float = 1.0
    margins_mm: tuple[float, float, float, float] = (20, 15, 20, 30)  # top, right, bottom, left
    styles: dict[str, ParagraphStyle] = field(default_factory=dict)

    def __post_init__(self) -> None:
        register_fonts()
        if self.paper.startswith("A5") and self.scale == 1.0:
            self.scale = 0.8
            self.margins_mm = (10, 10, 10, 12)
        s = self.scale
        base = dict(fontName=font_name(), leading=16 * s, fontSize=13 * s)
        self.styles = {
            "body": ParagraphStyle("body", alignment=TA_JUSTIFY, spaceAfter=4 * s, **base),
            "body_indent": ParagraphStyle("body_indent", alignment=TA_JUSTIFY, firstLineIndent=10 * mm * s,
                                          spaceAfter=6 * s, **base),
            "left": ParagraphStyle("left", alignment=TA_LEFT, spaceAfter=2 * s, **base),
            "center": ParagraphStyle("center", alignment=TA_CENTER, **base),
            "small": ParagraphStyle("small", fontName=font_name(), fontSize=11 * s, leading=13 * s),
            "small_center": ParagraphStyle("small_center", fontName=font_name(), fontSize=11 * s,
                                           leading=13 * s, alignment=TA_CENTER),
            "cell": ParagraphStyle("cell", fontName=font_name(), fontSize=11 * s, leading=13 * s),
            "cell_center": ParagraphStyle("cell_center", fontName=font_name(), fontSize=11 * s,
                                          leading=13 * s, alignment=TA_CENTER),
            "cell_head": ParagraphStyle("cell_head", fontName=font_name("bold"), fontSize=11 * s,
                                        leading=13 * s, alignment=TA_CENTER),
            "title": ParagraphStyle("title", fontName=font_name("bold"), fontSize=14 * s, leading=18 * s,
                                    alignment=TA_CENTER, spaceBefore=8 * s, spaceAfter=2 * s),
            "subtitle": ParagraphStyle("subtitle", fontName=font_name("bold"), fontSize=13 * s,
                                       leading=16 * s, alignment=TA_CENTER, spaceAfter=6 * s),
            "italic_center": ParagraphStyle("italic_center", fontName=font_name("italic"), fontSize=13 * s,
                                            leading=16 * s, alignment=TA_CENTER),
            "sign_title": ParagraphStyle("sign_title", fontName=font_name("bold"), fontSize=13 * s,
                                         leading=16 * s, alignment=TA_CENTER),
            "sign_note": ParagraphStyle("sign_note", fontName=font_name("italic"), fontSize=12 * s,
                                        leading=14 * s, alignment=TA_CENTER),
            "recipients_head": ParagraphStyle("recipients_head", fontName=font_name("bolditalic"),
                                              fontSize=12 * s, leading=14 * s),
            "recipients": ParagraphStyle("recipients", fontName=font_name(), fontSize=11 * s, leading=13 * s),
        }

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAPER[self.paper]

    @property
    def frame_width(self) -> float:
        top, right, bottom, left = self.margins_mm
        return self.pagesize[0] - (left + right) * mm

    def doc(self, target, *, title: str, author: str = "commune_desk") -> SimpleDocTemplate:
        top, right, bottom, left = self.margins_mm
        return SimpleDocTemplate(target, pagesize=self.pagesize, topMargin=top * mm, rightMargin=right * mm,
                                 bottomMargin=bottom * mm, leftMargin=left * mm, title=title, author=author,
                                 creator="commune_desk", subject=title)

    def build(self, target: str | Path, story: list, *, title: str) -> None:
        """Write the PDF; page numbers centred at the top from page 2 (Decree 30)."""
        s = self.scale

        def later_pages(canvas, doc):
            canvas.saveState()
            canvas.setFont(font_name(), 13 * s)
            canvas.drawCentredString(doc.pagesize[0] / 2, doc.pagesize[1] - 10 * mm, str(doc.page))
            canvas.restoreState()

        self.doc(str(target), title=title).build(story, onLaterPages=later_pages)

    def p(self, text: str, style: str = "body") -> Paragraph:
        """A paragraph of (already escaped or trusted markup) text."""
        return Paragraph(text, self.styles[style])


class RuledText(Flowable):
    """A centred line of text with a solid rule under it (the motto: as long as the text;
    the issuing unit: a fraction of it)."""

    def __init__(self, text: str, face: str, size: float, width: float, rule_ratio: float = 1.0) -> None:
        super().__init__()
        self.text, self.face, self.size, self.width, self.rule_ratio = text, face, size, width, rule_ratio
        self.height = size * 1.25 + 3

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFont(font_name(self.face), self.size)
        text_width = c.stringWidth(self.text, font_name(self.face), self.size)
        x = self.width / 2
        c.drawCentredString(x, 3 + self.size * 0.25, self.text)
        rule = text_width * self.rule_ratio
        c.setLineWidth(0.6)
        c.line(x - rule / 2, 1.5, x + rule / 2, 1.5)


def fit_size(text: str, face: str, size: float, width: float) -> float:
    """``size``, or the largest size at which ``text`` fits on one line of ``width`` points."""
    natural = stringWidth(text, font_name(face), size)
    return size if natural <= width else size * width / natural


def header(layout: Layout, *, parent_body: str, issuing_unit: str, number_line: str | None,
           place: str, day: dt.date | None) -> Table:
    """The two-column heading: agency (left) and national motto (right)."""
    s = layout.scale
    width = layout.frame_width
    # on A5 the motto needs the wider column to stay on one line
    left_ratio = 0.40 if layout.paper.startswith("A5") else 0.42
    left_w, right_w = width * left_ratio, width * (1 - left_ratio)
    sc = layout.styles

    def line_style(text: str, face: str, size: float, col_w: float) -> ParagraphStyle:
        """Centred, shrunk just enough that one header line never wraps."""
        fitted = fit_size(text, face, size, col_w - 2)
        return ParagraphStyle("hl", parent=sc["center"], fontName=font_name(face), fontSize=fitted,
                              leading=max(fitted * 1.2, 15 * s))

    left = []
    for line in parent_body.upper().split("\n") if parent_body else []:
        left.append(Paragraph(esc(line), line_style(line, "regular", 12.5 * s, left_w)))
    unit_lines = issuing_unit.upper().split("\n")
    for i, line in enumerate(unit_lines):
        if i == len(unit_lines) - 1:
            left.append(RuledText(line, "bold", fit_size(line, "bold", 12.5 * s, left_w - 2), left_w,
                                  rule_ratio=0.4))
        else:
            left.append(Paragraph(esc(line), line_style(line, "bold", 12.5 * s, left_w)))
    if number_line:
        left.append(Spacer(1, 3 * s))
        left.append(Paragraph(esc(number_line), ParagraphStyle("hn", parent=sc["center"], fontSize=13 * s)))
    right = [
        Paragraph(MOTTO_1, line_style(MOTTO_1, "bold", 12.5 * s, right_w)),
        RuledText(MOTTO_2, "bold", fit_size(MOTTO_2, "bold", 13.5 * s, right_w - 2), right_w, rule_ratio=1.0),
    ]
    if day is not None:
        right.append(Spacer(1, 3 * s))
        right.append(Paragraph(esc(place_date(place, day)), layout.styles["italic_center"]))
    table = Table([[left, right]], colWidths=[left_w, right_w])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def title(layout: Layout, text: str, subtitle: str | None = None) -> list:
    out: list = [Paragraph(esc(text.upper()), layout.styles["title"])]
    if subtitle:
        out.append(Paragraph(esc(subtitle), layout.styles["subtitle"]))
    return out


def signatures(layout: Layout, blocks: list[tuple[str, str | None, str | None]], *, gap_mm: float = 22) -> Table:
    """Side-by-side signature blocks: (title such as "NGƯỜI NỘP HỒ SƠ", note such as
    "(Ký và ghi rõ họ tên)", printed name or None)."""
    cells = []
    for heading, note, name in blocks:
        cell = [Paragraph(f"<b>{esc(heading)}</b>", layout.styles["sign_title"])]
        if note:
            cell.append(Paragraph(esc(note), layout.styles["sign_note"]))
        cell.append(Spacer(1, gap_mm * mm * layout.scale))
        if name:
            cell.append(Paragraph(f"<b>{esc(name)}</b>", layout.styles["sign_title"]))
        cells.append(cell)
    width = layout.frame_width / max(1, len(cells))
    table = Table([cells], colWidths=[width] * len(cells))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def recipients(layout: Layout, lines: list[str]) -> list:
    """'Nơi nhận:' then '- …;' lines, the last one ending with '.'"""
    out: list = [Paragraph("Nơi nhận:", layout.styles["recipients_head"])]
    for i, line in enumerate(lines):
        end = "." if i == len(lines) - 1 else ";"
        out.append(Paragraph(f"- {esc(line)}{end}", layout.styles["recipients"]))
    return out


def grid(layout: Layout, rows: list[list], col_widths_ratio: list[float], *, header_rows: int = 1,
         style: str = "cell") -> Table:
    """A ruled table; string cells are wrapped in paragraphs (header rows bold, centred)."""
    width = layout.frame_width
    body = []
    for r, row in enumerate(rows):
        out = []
        for cell in row:
            if isinstance(cell, str):
                out.append(Paragraph(esc(cell), layout.styles["cell_head" if r < header_rows else style]))
            else:
                out.append(cell)
        body.append(out)
    table = Table(body, colWidths=[width * w for w in col_widths_ratio], repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table
