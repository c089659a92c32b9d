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
from functools import lru_cache
from pathlib import Path

import qrcode
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Spacer

from commune_desk.printing.fonts import font_name, seed_form_fonts
from commune_desk.printing.layout import (
    MOTTO_1,
    MOTTO_2,
    Layout,
    RuledText,
    fit_size,
    money,
    place_date,
    vn_time,
)

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
    forwarded_to: str | None = None  # "Xã Thuận Hoà": received here for another commune to settle


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


def module_rects(matrix: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """The dark modules of a QR matrix as rectangles ``(column, row, width, height)`` in
    modules, row 0 at the top: runs along each row, a run repeated straight below merged into
    one taller rectangle (a quarter as many shapes as modules)."""
    rects: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}   # (start, end) -> first row
    for r, row in enumerate([*matrix, []]):
        runs: set[tuple[int, int]] = set()
        col, n = 0, len(row)
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                runs.add((start, col))
            else:
                col += 1
        for run in [run for run in open_runs if run not in runs]:
            first = open_runs.pop(run)
            rects.append((run[0], first, run[1] - run[0], r - first))
        for run in runs:
            open_runs.setdefault(run, r)
    return rects


class QrCode(Flowable):
    """The dossier code as a QR code, ``size`` points square (quiet zone included), drawn
    as one filled path of whole-module rectangles."""

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
        c.saveState()
        # one unit = one module, y downwards from the top left module: the rectangles are
        # written as small integers instead of four formatted floats each
        c.transform(module, 0, 0, -module, quiet * module, self.size - quiet * module)
        c.setFillColorRGB(0, 0, 0)
        c.addLiteral(" ".join(f"{x} {y} {w} {h} re" for x, y, w, h in module_rects(matrix)) + " f")
        c.restoreState()


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


class CodeRow(Flowable):
    """The code line with the copy's label under it, centred between two QR-wide margins,
    and the QR code at the right, all vertically centred on the row: a one-row table's
    layout, drawn directly (a Table's machinery cost more than the rest of the row)."""

    def __init__(self, code_line: Flowable, label: LabelSlot, qr: QrCode) -> None:
        super().__init__()
        self.code_line, self.label, self.qr = code_line, label, qr
        self._heights = (0.0, 0.0)

    def wrap(self, avail_width, avail_height):
        middle = avail_width - 2 * self.qr.size
        _w, code_h = self.code_line.wrap(middle, avail_height)
        _w, label_h = self.label.wrap(middle, avail_height)
        self._heights = (code_h, label_h)
        self.width, self.height = avail_width, max(self.qr.size, code_h + label_h)
        return self.width, self.height

    def draw(self) -> None:
        c, q = self.canv, self.qr.size
        code_h, label_h = self._heights
        top = self.height - (self.height - code_h - label_h) / 2
        self.code_line.drawOn(c, q, top - code_h)
        self.label.drawOn(c, q, top - code_h - label_h)
        self.qr.drawOn(c, self.width - q, (self.height - q) / 2)


class Grid(Flowable):
    """The documents table as ``layout.grid`` draws it (0.5 pt rules all round, cells
    padded 3 pt, contents centred vertically), for cells that are :class:`Text`: rows
    measured and drawn directly, without a Table's per-cell style machinery."""

    PAD = 3.0
    RULE = 0.5

    def __init__(self, rows: list[list[Flowable]], col_widths: list[float]) -> None:
        super().__init__()
        self.rows, self.col_widths = rows, col_widths
        self.row_heights: list[float] = []

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        pad = self.PAD
        self.row_heights = [max(cell.wrap(w - 2 * pad, avail_height)[1] for cell, w in zip(row, self.col_widths,
                                                                                           strict=True)) + 2 * pad
                            for row in self.rows]
        self.width, self.height = sum(self.col_widths), sum(self.row_heights)
        return self.width, self.height

    def draw(self) -> None:
        c, pad = self.canv, self.PAD
        top = self.height
        for row, row_h in zip(self.rows, self.row_heights, strict=True):
            x = 0.0
            for cell, w in zip(row, self.col_widths, strict=True):
                cell.drawOn(c, x + pad, top - row_h + (row_h - cell.height) / 2)
                x += w
            top -= row_h
        c.saveState()
        c.setLineWidth(self.RULE)
        c.setLineCap(1)
        c.setLineJoin(1)
        xs = [0.0]
        for w in self.col_widths:
            xs.append(xs[-1] + w)
        ys = [self.height]
        for h in self.row_heights:
            ys.append(ys[-1] - h)
        c.lines([(0, y, self.width, y) for y in ys] + [(x, 0, x, self.height) for x in xs])
        c.restoreState()


class Columns(Flowable):
    """Columns of flowables side by side, each from the top of the row: what the one-row
    Tables of ``layout.header`` and ``layout.signatures`` do, drawn directly."""

    def __init__(self, columns: list[list[Flowable]], widths: list[float], *, pad_x: float, pad_y: float = 3.0):
        super().__init__()
        self.columns, self.widths, self.pad_x, self.pad_y = columns, widths, pad_x, pad_y
        self._sizes: list[list[float]] = []

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        self._sizes = [[f.wrap(w - 2 * self.pad_x, avail_height)[1] for f in col]
                       for col, w in zip(self.columns, self.widths, strict=True)]
        self.width = sum(self.widths)
        self.height = max(sum(sizes) for sizes in self._sizes) + 2 * self.pad_y
        return self.width, self.height

    def draw(self) -> None:
        x = 0.0
        for col, w, sizes in zip(self.columns, self.widths, self._sizes, strict=True):
            y = self.height - self.pad_y
            for flowable, h in zip(col, sizes, strict=True):
                y -= h
                flowable.drawOn(self.canv, x + self.pad_x, y)
            x += w


Run = tuple[str, str]  # (face, text): face is regular | bold | italic | bolditalic


@lru_cache(maxsize=8192)
def _width(word: str, font: str, size: float) -> float:
    """A word's width, measured once: most words of a slip (its labels, the office, the
    catalog's document names) come back on every slip."""
    return stringWidth(word, font, size)


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
        self.lines: tuple[tuple[tuple[str, str, float], ...], ...] = ()  # per line: (font, text, width)
        self._wrapped_for: float | None = None

    def wrap(self, avail_width, avail_height):  # noqa: ARG002
        if self._wrapped_for != avail_width:
            self.lines = _broken(tuple(self.runs), self.size, avail_width)
            self._wrapped_for = avail_width
        self.width = avail_width
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def drawOn(self, canvas, x, y, _sW=0) -> None:  # noqa: ARG002 - a Text fills its width
        """All lines in one PDF text object, placed at ``(x, y)`` directly: no graphics state
        saved and translated per piece of text (a slip has some fifty), no font switch
        outside the text object."""
        text = canvas.beginText()
        base = y + self.height - self.leading + (self.leading - self.size) / 2 + self.size * 0.2
        current = None
        for i, line in enumerate(self.lines):
            total = sum(w for _f, _t, w in line)
            left = x + {"center": (self.width - total) / 2, "right": self.width - total}.get(self.align, 0.0)
            for font, run, w in line:
                if font != current:
                    text.setFont(font, self.size)
                    current = font
                text.setTextOrigin(left, base - i * self.leading)
                text.textOut(run)
                left += w
        canvas.drawText(text)

    def draw(self) -> None:
        self.drawOn(self.canv, 0, 0)


@lru_cache(maxsize=4096)
def _broken(runs: tuple[Run, ...], size: float, width: float) -> tuple[tuple[tuple[str, str, float], ...], ...]:
    """``runs`` broken into lines of at most ``width`` points, each line as runs of one font
    ``(font, text, width)``. Kept: a slip's labels, headings and the catalog's document
    names come back on every slip at the same size and width."""
    words: list[tuple[str, str, float, bool]] = []  # font, word, width, space before
    space_before = False
    for face, text in runs:
        font = font_name(face)
        for i, word in enumerate(text.split(" ")):
            if i:
                space_before = True
            if word:
                words.append((font, word, _width(word, font, size), space_before))
                space_before = False
    lines: list[list[tuple[str, str, float]]] = [[]]
    x = 0.0
    for font, word, w, spaced in words:
        gap = _width(" ", font, size) if spaced and lines[-1] else 0.0
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
    return tuple(tuple(line) for line in lines if line)


def keep(text: str) -> str:
    """Text that must not be broken across lines (a name, a date): non-breaking spaces."""
    return text.replace(" ", "\u00a0")


def _value(text: str | None) -> str:
    return text if text else BLANK


def form_header(layout: Layout, data: ReceiptData) -> Columns:
    """``layout.header`` of the receipt (agency left, motto right, place and date under it),
    set in :class:`Text` lines: the same lines, sizes and rules, without paragraph parsing."""
    s = layout.scale
    width = layout.frame_width
    left_w = width * (0.40 if layout.paper.startswith("A5") else 0.42)
    right_w = width - left_w

    def line(text: str, face: str, size: float, col_w: float) -> Text:
        fitted = fit_size(text, face, size, col_w - 2)   # shrunk just enough never to wrap
        return Text([(face, text)], fitted, max(fitted * 1.2, 15 * s), align="center")

    left: list[Flowable] = [line(t, "regular", 12.5 * s, left_w) for t in data.parent_body.upper().split("\n")
                            if data.parent_body]
    unit_lines = data.issuing_unit.upper().split("\n")
    left += [line(t, "bold", 12.5 * s, left_w) for t in unit_lines[:-1]]
    last = unit_lines[-1]
    left.append(RuledText(last, "bold", fit_size(last, "bold", 12.5 * s, left_w - 2), left_w, rule_ratio=0.4))
    italic = layout.styles["italic_center"]
    right: list[Flowable] = [
        line(MOTTO_1, "bold", 12.5 * s, right_w),
        RuledText(MOTTO_2, "bold", fit_size(MOTTO_2, "bold", 13.5 * s, right_w - 2), right_w, rule_ratio=1.0),
        Spacer(1, 3 * s),
        Text([("italic", place_date(data.place, data.received_local.date()))], italic.fontSize, italic.leading,
             align="center"),
    ]
    return Columns([left, right], [left_w, right_w], pad_x=0)


def form_signatures(layout: Layout, blocks: list[tuple[str, str | None]], *, gap_mm: float) -> Columns:
    """``layout.signatures`` with "(Ký và ghi rõ họ tên)" under each title, in :class:`Text`."""
    title, note = layout.styles["sign_title"], layout.styles["sign_note"]
    width = layout.frame_width / len(blocks)
    columns: list[list[Flowable]] = []
    for heading, name in blocks:
        cell: list[Flowable] = [Text([("bold", heading)], title.fontSize, title.leading, align="center"),
                                Text([("italic", "(Ký và ghi rõ họ tên)")], note.fontSize, note.leading,
                                     align="center"),
                                Spacer(1, gap_mm * mm * layout.scale)]
        if name:
            cell.append(Text([("bold", name)], title.fontSize, title.leading, align="center"))
        columns.append(cell)
    return Columns(columns, [width] * len(blocks), pad_x=6)


def copy_story(layout: Layout, data: ReceiptData) -> tuple[list, LabelSlot]:
    """One copy of the receipt (without its label) and the slot the label goes in."""
    s = layout.scale
    body, lead = layout.styles["body"].fontSize, layout.styles["body"].leading
    cell, cell_lead = layout.styles["cell"].fontSize, layout.styles["cell"].leading

    a5 = layout.paper.startswith("A5")  # an A4 page has room to breathe

    def line(*runs: Run | str) -> Text:
        return Text([("regular", r) if isinstance(r, str) else r for r in runs], body, lead,
                    space_after=(1 if a5 else 3) * s)

    story: list = [
        form_header(layout, data),
        Spacer(1, 5 * s),
        Text([("bold", TITLE)], layout.styles["title"].fontSize, layout.styles["title"].leading, align="center",
             space_after=2 * s),
    ]
    qr_size = 22 * mm * s
    label_slot = LabelSlot(lead)
    story.append(CodeRow(Text([("regular", "Mã hồ sơ: "), ("bold", data.code)], body, lead, align="center"),
                         label_slot, QrCode(data.code, qr_size)))
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
    story.append(Grid(rows, [layout.frame_width * r for r in (0.07, 0.66, 0.15, 0.12)]))
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
        form_signatures(layout, [("NGƯỜI NỘP HỒ SƠ", data.applicant_name),
                                 ("NGƯỜI TIẾP NHẬN HỒ SƠ", data.receiver_name or None)], gap_mm=14 if a5 else 26),
    ]
    note = "Khi đến nhận kết quả, xin mang theo Giấy tiếp nhận này và giấy tờ tùy thân."
    if data.result_text:
        note = f"Kết quả giải quyết: {data.result_text}. " + note
    if data.forwarded_to:  # Decree 118/2025: received here, settled by the competent commune
        note = f"Hồ sơ được chuyển đến {data.forwarded_to} giải quyết. " + note
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
    seed_form_fonts(c)
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
