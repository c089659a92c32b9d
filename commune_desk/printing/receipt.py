"""Form 01: GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ (FACTS.md 1.1), laid out as Decree
30/2020 asks (agency top left, motto top right, title, fields, documents table, items 1–6,
fee, tracking-book entry, signatures) with a QR code of the dossier code (TT 01/2018 art.
19.2 allows it).

A5 by default, one page per copy ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ"). Each
copy is kept on its own page: a long documents list shrinks the copy a little rather than
spilling onto a second sheet. A receipt (QR code included) is laid out and drawn once, as a
PDF form object that every copy's page places.

Printed forms are always Vietnamese: no ``_()`` here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from commune_desk.printing.fonts import font_name
from commune_desk.printing.layout import Layout, grid, header, money, signatures, vn_time

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")
BLANK = "…………………"


@dataclass(frozen=True)
class ReceiptDocument:
    name: str
    form: str       # bản chính | bản sao | xuất trình
    count: int


@dataclass(frozen=True)
class ReceiptFee:
    name: str
    amount_vnd: int | None


@dataclass
class ReceiptData:
    """Everything one receipt prints (plain data, times already in local time)."""

    code: str
    parent_body: str                 # "UBND XÃ MINH TÂN"
    issuing_unit: str                # "TRUNG TÂM PHỤC VỤ\nHÀNH CHÍNH CÔNG" (\n: line break)
    receiving_unit: str              # "Trung tâm Phục vụ hành chính công xã Minh Tân"
    place: str                       # "Minh Tân"
    honorific: str                   # Ông | Bà | Ông/Bà
    applicant_name: str
    id_number: str
    address: str
    phone: str
    email: str
    procedure_name: str
    procedure_code: str
    documents: list[ReceiptDocument]
    sets_count: int
    time_text: str                   # "05 ngày làm việc"
    received_local: dt.datetime
    due_local: dt.datetime
    delivery_text: str
    fees: list[ReceiptFee] = field(default_factory=list)
    fee_total: int = 0
    book_volume: int = 1
    book_number: int = 0
    receiver_name: str = ""
    result_text: str | None = None


def time_text(kind: str, value: int | None) -> str:
    """The processing time as the form writes it."""
    if kind == "same_day":
        return "trong ngày làm việc"
    if kind == "calendar_days":
        return f"{value or 0:02d} ngày"
    return f"{value or 0:02d} ngày làm việc"


def fee_text(data: ReceiptData) -> str:
    unset = [f.name for f in data.fees if f.amount_vnd is None]
    if not data.fees and not data.fee_total:
        return "Không thu"
    if data.fee_total == 0 and not unset:
        return "Miễn phí, lệ phí"
    text = money(data.fee_total) if data.fee_total or not unset else money(None)
    if unset and data.fee_total:
        text += " (chưa gồm khoản do HĐND tỉnh quy định: " + "; ".join(unset) + ")"
    return text


class QrCode(Flowable):
    """The dossier code as a QR code, ``size`` points square (quiet zone included), drawn
    as one filled path (runs of dark modules merged into rectangles)."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value, self.size = value, size
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        return self.size, self.size

    def draw(self) -> None:
        # a fixed mask: scoring all eight to pick the "best" costs more than the rest of the slip
        qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=4)
        qr.add_data(self.value)
        qr.make(fit=True)
        matrix = qr.get_matrix()
        n, quiet = len(matrix), 2
        module = self.size / (n + 2 * quiet)
        c = self.canv
        path = c.beginPath()
        for r, row in enumerate(matrix):
            y = self.size - (quiet + r + 1) * module
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    path.rect((quiet + start) * module, y, (col - start) * module, module)
                else:
                    col += 1
        c.setFillColorRGB(0, 0, 0)
        c.drawPath(path, stroke=0, fill=1)


class LabelSlot(Flowable):
    """Room for the copy's label ("Liên 1: Lưu"): the copy is drawn once and shared by all
    copies, so the slot only remembers where it landed on the page."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.height = height
        self.center: tuple[float, float] | None = None

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(self.width / 2, self.height * 0.3)
        self.center = (x, y)


Run = tuple[str, str]  # (face, text): face is regular | bold | italic | bolditalic


class Text(Flowable):
    """Lines of plain text in runs of one face each, wrapped at (ordinary) spaces.

    A lean stand-in for ``Paragraph`` on a form whose text is known in advance: no markup to
    parse, each word measured once. A slip has some fifty such pieces; with Paragraph
    their parsing and line breaking cost more than the rest of the PDF together."""

    def __init__(self, runs: list[Run] | str, size: float, leading: float, *, align: str = "left",
                 space_after: float = 0.0) -> None:
        super().__init__()
        self.runs = [("regular", runs)] if isinstance(runs, str) else runs
        self.size, self.leading, self.align, self.spaceAfter = size, leading, align, space_after
        self.lines: list[list[tuple[str, str, float]]] = []  # per line: (font, text, width)
        self._wrapped_for: float | None = None

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        if self._wrapped_for != avail_width:
            self.lines = self._break(avail_width)
            self._wrapped_for = avail_width
        self.width = avail_width
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def _break(self, width: float) -> list[list[tuple[str, str, float]]]:
        words: list[tuple[str, str, float, bool]] = []  # font, word, width, space before
        space_before = False
        for face, text in self.runs:
            font = font_name(face)
            for i, word in enumerate(text.split(" ")):
                if i:
                    space_before = True
                if word:
                    words.append((font, word, stringWidth(word, font, self.size), space_before))
                    space_before = False
        lines: list[list[tuple[str, str, float]]] = [[]]
        x = 0.0
        for font, word, w, spaced in words:
            gap = stringWidth(" ", font, self.size) if spaced and lines[-1] else 0.0
            if lines[-1] and x + gap + w > width:
                lines.append([])
                x, gap = 0.0, 0.0
            line = lines[-1]
            if line and line[-1][0] == font:  # same face: extend the run
                _font, prev_text, prev_w = line[-1]
                line[-1] = (font, prev_text + (" " if gap else "") + word, prev_w + gap + w)
            else:
                line.append((font, (" " if gap else "") + word, gap + w))
            x += gap + w
        return [line for line in lines if line]

    def draw(self) -> None:
        c = self.canv
        y = self.height - self.leading + (self.leading - self.size) / 2 + self.size * 0.2
        for line in self.lines:
            total = sum(w for _f, _t, w in line)
            x = {"center": (self.width - total) / 2, "right": self.width - total}.get(self.align, 0.0)
            for font, text, w in line:
                c.setFont(font, self.size)
                c.drawString(x, y, text)
                x += w
            y -= self.leading


def keep(text: str) -> str:
    """Text that must not be broken across lines (a name, a date): non-breaking spaces."""
    return text.replace(" ", "\u00a0")


def _value(text: str | None) -> str:
    return text if text else BLANK


def copy_story(layout: Layout, data: ReceiptData) -> tuple[list, LabelSlot]:
    """One copy of the receipt (without its label) and the slot the label goes in."""
    s = layout.scale
    width = layout.frame_width
    body, lead = layout.styles["body"].fontSize, layout.styles["body"].leading
    cell, cell_lead = layout.styles["cell"].fontSize, layout.styles["cell"].leading

    a5 = layout.paper.startswith("A5")  # an A4 page has room to breathe

    def line(*runs: Run | str) -> Text:
        return Text([("regular", r) if isinstance(r, str) else r for r in runs], body, lead,
                    space_after=(1 if a5 else 3) * s)

    story: list = [
        header(layout, parent_body=data.parent_body, issuing_unit=data.issuing_unit, number_line=None,
               place=data.place, day=data.received_local.date()),
        Spacer(1, 5 * s),
        Text([("bold", TITLE)], layout.styles["title"].fontSize, layout.styles["title"].leading, align="center",
             space_after=2 * s),
    ]
    qr_size = 22 * mm * s
    label_slot = LabelSlot(lead)
    code_lines = [Text([("regular", "Mã hồ sơ: "), ("bold", data.code)], body, lead, align="center"), label_slot]
    code_row = Table([["", code_lines, QrCode(data.code, qr_size)]],
                     colWidths=[qr_size, width - 2 * qr_size, qr_size])
    code_row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (2, 0), (2, 0), "RIGHT"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    story.append(code_row)
    story.append(Spacer(1, 2 * s))

    id_label = "số CMND" if len(data.id_number) == 9 else "số định danh cá nhân"
    story += [
        line(f"{data.receiving_unit} tiếp nhận hồ sơ của:"),
        line(f"{data.honorific} ", ("bold", keep(data.applicant_name)), f", {id_label}: {_value(data.id_number)}"),
        line(f"Địa chỉ: {_value(data.address)}"),
        line(f"Số điện thoại: {_value(data.phone)}\u2003\u2003Email: {_value(data.email)}"),
        line("Nội dung yêu cầu giải quyết: ", ("bold", data.procedure_name), f" (mã thủ tục {data.procedure_code})"),
        line("1. Thành phần hồ sơ nộp gồm:"),
    ]

    def cell_text(text: str, face: str = "regular", align: str = "left") -> Text:
        return Text([(face, text)], cell, cell_lead, align=align)

    rows: list[list] = [[cell_text(h, "bold", "center") for h in ("STT", "Tên giấy tờ", "Hình thức", "Số lượng")]]
    for i, doc in enumerate(data.documents, 1):
        rows.append([cell_text(str(i), align="center"), cell_text(doc.name),
                     cell_text(doc.form.capitalize(), align="center"), cell_text(f"{doc.count:02d}", align="center")])
    story.append(grid(layout, rows, [0.07, 0.66, 0.15, 0.12]))
    story.append(Spacer(1, 3 * s))
    story += [
        line(f"2. Số lượng hồ sơ: {data.sets_count:02d} (bộ)."),
        line(f"3. Thời gian giải quyết hồ sơ theo quy định: {data.time_text}."),
        line(f"4. Thời gian nhận hồ sơ: {keep(vn_time(data.received_local) + '.')}"),
        line("5. Thời gian trả kết quả giải quyết hồ sơ: ", ("bold", keep(vn_time(data.due_local))), "."),
        line(f"6. Đăng ký nhận kết quả tại: {data.delivery_text}."),
        line(f"Phí, lệ phí: {fee_text(data)}."),
        line(("italic", f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.book_volume:02d}\u2003"
                        f"Số thứ tự: {data.book_number:02d}")),
        Spacer(1, 4 * s),
        signatures(layout, [("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", data.applicant_name),
                            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", data.receiver_name or None)],
                   gap_mm=14 if a5 else 26),
    ]
    note = "Khi đến nhận kết quả, xin mang theo Giấy tiếp nhận này và giấy tờ tùy thân."
    if data.result_text:
        note = f"Kết quả giải quyết: {data.result_text}. " + note
    story.append(Spacer(1, 3 * s))
    story.append(Text([("italic", note)], layout.styles["small"].fontSize, layout.styles["small"].leading))
    return story, label_slot


@dataclass
class PlacedCopy:
    """A copy laid out on a page: its flowables wrapped once, ready to draw."""

    layout: Layout
    story: list
    sizes: list[tuple[float, float]]
    height: float
    label: LabelSlot


def lay_out(layout: Layout, data: ReceiptData) -> PlacedCopy:
    story, label = copy_story(layout, data)
    sizes, height = [], 0.0
    for i, flowable in enumerate(story):
        w, h = flowable.wrap(layout.frame_width, 100_000)
        sizes.append((w, h))
        height += h + flowable.getSpaceAfter() + (flowable.getSpaceBefore() if i else 0)
    return PlacedCopy(layout, story, sizes, height, label)


def fitting_copy(layout: Layout, data: ReceiptData, frame_h: float) -> PlacedCopy:
    """The copy at the layout's type size or, when long document names make it taller than
    the page, a little smaller, so that one copy always fits one page. Everything shrinks
    together and stays full width (type scales both ways, so the height goes as its square)."""
    placed = lay_out(layout, data)
    factor = 1.0
    while placed.height > frame_h and factor > 0.6:
        factor = max(0.6, min(factor - 0.03, factor * (frame_h / placed.height) ** 0.5))
        smaller = Layout(paper=layout.paper, scale=layout.scale * factor, margins_mm=layout.margins_mm)
        placed = lay_out(smaller, data)
    return placed


def draw_copy(c: canvas.Canvas, placed: PlacedCopy, top: float) -> None:
    """Draw the wrapped flowables down from ``top`` (what a Frame does, without re-wrapping)."""
    left = placed.layout.margins_mm[3] * mm
    width = placed.layout.frame_width
    y = top
    for i, (flowable, (w, h)) in enumerate(zip(placed.story, placed.sizes, strict=True)):
        if i:
            y -= flowable.getSpaceBefore()
        y -= h
        align = getattr(flowable, "hAlign", "LEFT")
        x = left + ((width - w) / 2 if align in ("CENTER", "CENTRE") else (width - w) if align == "RIGHT" else 0)
        flowable.drawOn(c, x, y)
        y -= flowable.getSpaceAfter()


def build_receipts(receipts: list[ReceiptData], target: str | Path, *, paper: str = "A5",
                   copies: int = 2) -> None:
    """Write one PDF with every receipt, each in ``copies`` copies, one page per copy.

    Each receipt is laid out and drawn once, into a PDF form object; every copy's page
    places that form and writes its own label ("Liên 1: Lưu", …) in the slot left for it."""
    if not receipts:
        raise ValueError("no receipt to print")
    layout = Layout(paper=paper)
    top, _right, bottom, _left = layout.margins_mm
    page_w, page_h = layout.pagesize
    labels = [COPY_LABELS[i] if i < len(COPY_LABELS) else f"Liên {i + 1}" for i in range(max(1, copies))]
    name = receipts[0].code if len(receipts) == 1 else f"{len(receipts)} hồ sơ"
    c = canvas.Canvas(str(target), pagesize=layout.pagesize)
    c.setTitle(f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {name}")
    c.setAuthor("commune_desk")
    c.setCreator("commune_desk")
    for index, data in enumerate(receipts):
        placed = fitting_copy(layout, data, page_h - (top + bottom) * mm)
        form = f"receipt{index}"
        c.beginForm(form, 0, 0, page_w, page_h)
        draw_copy(c, placed, page_h - top * mm)
        c.endForm()
        style = placed.layout.styles["center"]
        for label in labels:
            c.doForm(form)
            if placed.label.center is not None:
                c.setFont(font_name("italic"), style.fontSize)
                c.drawCentredString(*placed.label.center, f"({label})")
            c.showPage()
    c.save()
