"""Training documents, laid out as Decree 30/2020 asks (printing/layout.py):

- the attendance sheet to sign on paper (A4 portrait, one row per participant, a signature
  column, a few blank rows for walk-ins);
- the certificate (chứng chỉ) or completion note (giấy chứng nhận): A4 landscape, one page
  per person, numbered, inside a double frame;
- the course summary (sessions, participants, results, certificates);
- one official's training history with the yearly totals against the minimum.

Printed forms are always Vietnamese: no ``_()`` here. Everything arrives as plain data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from commune_desk.printing.fonts import font_name
from commune_desk.printing.layout import Layout, esc, grid, header, place_date, title

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
CERTIFICATE_TITLES = {"chung_chi": "CHỨNG CHỈ", "giay_chung_nhan": "GIẤY CHỨNG NHẬN"}


def dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def hm(moment: dt.time) -> str:
    return moment.strftime("%H:%M")


def score_text(score: float | None, passed: bool | None) -> str:
    """'Đạt (8,5 điểm)', 'Không đạt', '' (no result yet)."""
    if passed is None and score is None:
        return ""
    verdict = "Đạt" if passed else "Không đạt"
    if score is None:
        return verdict
    number = f"{score:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{verdict} ({number} điểm)"


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document and who signs it."""

    parent_body: str            # may be empty: a commune's People's Committee has no parent line
    issuing_unit: str           # "UBND XÃ MINH TÂN" (\n: line break)
    place: str                  # "Minh Tân"
    signer_title: str           # "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    signer_name: str = ""


def _header(layout: Layout, head: Letterhead, day: dt.date | None, number_line: str | None = None) -> Table:
    return header(layout, parent_body=head.parent_body, issuing_unit=head.issuing_unit, number_line=number_line,
                  place=head.place, day=day)


def _signer_block(head: Letterhead) -> tuple[str, str | None, str | None]:
    return (head.signer_title, None, head.signer_name or None)


def _signatures(layout: Layout, blocks: list[tuple[str, str | None, str | None]],
                gap_mm: float = 20) -> KeepTogether:
    """Side-by-side signature blocks whose titles may run over several lines ("TM. …\nCHỦ TỊCH")."""
    cells = []
    for heading, note, name in blocks:
        cell: list = [Paragraph(f"<b>{esc(line.upper())}</b>", layout.styles["sign_title"])
                      for line in heading.split("\n")]
        if note:
            cell.append(Paragraph(esc(note), layout.styles["sign_note"]))
        cell.append(Spacer(1, gap_mm * mm))
        if name:
            cell.append(Paragraph(f"<b>{esc(name)}</b>", layout.styles["sign_title"]))
        cells.append(cell)
    width = layout.frame_width / max(1, len(cells))
    table = Table([cells], colWidths=[width] * len(cells))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([table])


def _center(layout: Layout, text: str) -> Paragraph:
    return Paragraph(esc(text), layout.styles["cell_center"])


def _para(layout: Layout, label: str, value: str, style: str = "left") -> Paragraph:
    return layout.p(f"{esc(label)} <b>{esc(value)}</b>" if value else esc(label), style)


# -- the attendance sheet ----------------------------------------------------------------------
@dataclass(frozen=True)
class SheetPerson:
    name: str
    birth_year: int | None
    position_unit: str
    note: str = ""


@dataclass(frozen=True)
class AttendanceSheetDoc:
    course_code: str
    course_name: str
    location: str
    day: dt.date
    start: dt.time
    end: dt.time
    periods: int
    topic: str
    trainer: str
    people: list[SheetPerson]
    prepared_by: str = ""
    blank_rows: int = 3


def attendance_sheet_pdf(doc: AttendanceSheetDoc, head: Letterhead, target: str | Path) -> Path:
    layout = Layout("A4", margins_mm=(15, 15, 15, 25))
    story: list = [_header(layout, head, doc.day)]
    story += title(layout, "DANH SÁCH HỌC VIÊN THAM DỰ BUỔI HỌC", f"Khóa bồi dưỡng: {doc.course_name}")
    weekday = WEEKDAYS[doc.day.weekday()]
    story.append(_para(layout, "Mã khóa:", doc.course_code))
    story.append(layout.p(f"Thời gian: <b>{weekday}, ngày {dmy(doc.day)}, từ {hm(doc.start)} đến {hm(doc.end)}</b> "
                          f"({doc.periods} tiết)", "left"))
    if doc.topic:
        story.append(_para(layout, "Nội dung:", doc.topic))
    line = []
    if doc.trainer:
        line.append(f"Giảng viên: <b>{esc(doc.trainer)}</b>")
    if doc.location:
        line.append(f"Địa điểm: <b>{esc(doc.location)}</b>")
    if line:
        story.append(layout.p(". ".join(line), "left"))
    story.append(Spacer(1, 3 * mm))
    rows: list[list] = [["STT", "Họ và tên", "Năm sinh", "Chức vụ, đơn vị", "Ký tên", "Ghi chú"]]
    for i, person in enumerate(doc.people, start=1):
        rows.append([_center(layout, str(i)), person.name, _center(layout, str(person.birth_year or "")),
                     person.position_unit, "", person.note])
    for i in range(doc.blank_rows):
        rows.append([_center(layout, str(len(doc.people) + i + 1)), "", "", "", "", ""])
    table = grid(layout, rows, [0.06, 0.26, 0.08, 0.33, 0.15, 0.12])
    # room to sign on every row
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), (0.92, 0.92, 0.92)),
                               ("TOPPADDING", (0, 1), (-1, -1), 5), ("BOTTOMPADDING", (0, 1), (-1, -1), 5)]))
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(layout.p(f"Tổng số học viên theo danh sách: <b>{len(doc.people)}</b> người. "
                          "Có mặt: ……… người; vắng: ……… người.", "left"))
    story.append(Spacer(1, 3 * mm))
    story.append(_signatures(layout, [
        ("NGƯỜI LẬP DANH SÁCH", "(Ký và ghi rõ họ tên)", doc.prepared_by or None),
        ("GIẢNG VIÊN", "(Ký và ghi rõ họ tên)", doc.trainer or None),
    ]))
    target = Path(target)
    layout.build(target, story, title=f"Danh sách điểm danh {doc.course_code} {dmy(doc.day)}")
    return target


# -- certificates --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateDoc:
    kind: str                   # chung_chi | giay_chung_nhan
    number: str
    issued_on: dt.date
    honorific: str              # Ông | Bà | Ông/Bà
    name: str
    dob: dt.date | None
    position_unit: str
    course_name: str
    course_kind_label: str      # "theo yêu cầu vị trí việc làm"
    start: dt.date
    end: dt.date
    periods: int
    mode_label: str
    location: str
    organiser: str
    result: str                 # "Đạt (8,5 điểm)"


def _frame(canvas, doc) -> None:
    """A double frame around the certificate page."""
    canvas.saveState()
    width, height = doc.pagesize
    canvas.setStrokeColorRGB(0.55, 0.1, 0.1)
    canvas.setLineWidth(2.2)
    canvas.rect(9 * mm, 9 * mm, width - 18 * mm, height - 18 * mm)
    canvas.setLineWidth(0.7)
    canvas.rect(11.5 * mm, 11.5 * mm, width - 23 * mm, height - 23 * mm)
    canvas.restoreState()


def _certificate_story(layout: Layout, cert: CertificateDoc, head: Letterhead) -> list:
    s = layout.styles
    big = ParagraphStyle("cert_title", fontName=font_name("bold"), fontSize=32, leading=38, alignment=TA_CENTER,
                         textColor=(0.55, 0.1, 0.1), spaceBefore=9 * mm)
    sub = ParagraphStyle("cert_sub", parent=s["subtitle"], fontSize=16, leading=20, spaceAfter=6 * mm)
    name = ParagraphStyle("cert_name", fontName=font_name("bold"), fontSize=22, leading=28, alignment=TA_CENTER,
                          spaceBefore=1 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("cert_body", parent=s["center"], fontSize=15, leading=22)
    course = ParagraphStyle("cert_course", fontName=font_name("bolditalic"), fontSize=17, leading=23,
                            alignment=TA_CENTER, spaceBefore=1 * mm, spaceAfter=2 * mm)
    unit = head.issuing_unit.replace("\n", " ")
    story: list = [_header(layout, head, None, f"Số: {cert.number}")]
    story.append(Paragraph(CERTIFICATE_TITLES.get(cert.kind, "GIẤY CHỨNG NHẬN"), big))
    story.append(Paragraph("HOÀN THÀNH KHÓA BỒI DƯỠNG", sub))
    story.append(Paragraph(f"<b>{esc(unit.upper())}</b> chứng nhận:", body))
    story.append(Paragraph(f"{esc(cert.honorific)}: {esc(cert.name.upper())}", name))
    facts = []
    if cert.dob:
        facts.append(f"Sinh ngày: <b>{dmy(cert.dob)}</b>")
    if cert.position_unit:
        facts.append(f"Chức vụ, đơn vị: <b>{esc(cert.position_unit)}</b>")
    if facts:
        story.append(Paragraph(". ".join(facts), body))
    story.append(Paragraph(f"Đã hoàn thành khóa bồi dưỡng {esc(cert.course_kind_label)}:", body))
    story.append(Paragraph(f"“{esc(cert.course_name)}”", course))
    when = f"Thời gian: từ ngày {dmy(cert.start)} đến ngày {dmy(cert.end)} ({cert.periods} tiết)"
    how = f"Hình thức: {esc(cert.mode_label.lower())}" + (f", tại {esc(cert.location)}" if cert.location else "")
    story.append(Paragraph(f"{when}.", body))
    story.append(Paragraph(f"{how}.", body))
    if cert.organiser:
        story.append(Paragraph(f"Đơn vị tổ chức: {esc(cert.organiser)}.", body))
    if cert.result:
        story.append(Paragraph(f"Kết quả: <b>{esc(cert.result)}</b>.", body))
    story.append(Spacer(1, 6 * mm))
    left = [Paragraph(f"Số vào sổ cấp: <b>{esc(cert.number)}</b>", s["small"])]
    signer = [Paragraph(esc(place_date(head.place, cert.issued_on)), s["italic_center"])]
    for line in head.signer_title.split("\n"):
        signer.append(Paragraph(f"<b>{esc(line.upper())}</b>", s["sign_title"]))
    signer.append(Spacer(1, 20 * mm))
    if head.signer_name:
        signer.append(Paragraph(f"<b>{esc(head.signer_name)}</b>", s["sign_title"]))
    width = layout.frame_width
    table = Table([[left, signer]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (0, 0), "BOTTOM"), ("VALIGN", (1, 0), (1, 0), "TOP")]))
    story.append(table)
    return story


def certificates_pdf(certs: list[CertificateDoc], head: Letterhead, target: str | Path) -> Path:
    """One landscape page per certificate (a page break between them)."""
    if not certs:
        raise ValueError("no certificate to print")
    layout = Layout("A4L", margins_mm=(16, 20, 14, 22))
    top, _right, bottom, _left = layout.margins_mm
    frame_h = layout.pagesize[1] - (top + bottom) * mm - 12  # the frame's own padding
    story: list = []
    for i, cert in enumerate(certs):
        if i:
            story.append(PageBreak())
        # a long course name or title shrinks the page a little instead of spilling over
        story.append(KeepInFrame(layout.frame_width - 12, frame_h, _certificate_story(layout, cert, head),
                                 mode="shrink"))
    target = Path(target)
    first = certs[0]
    doc = layout.doc(str(target), title=f"{CERTIFICATE_TITLES.get(first.kind, '')} {first.number}".strip())
    doc.build(story, onFirstPage=_frame, onLaterPages=_frame)
    return target


# -- the course summary --------------------------------------------------------------------------
@dataclass(frozen=True)
class SummarySession:
    day: dt.date
    start: dt.time
    end: dt.time
    periods: int
    topic: str
    trainer: str
    present: int


@dataclass(frozen=True)
class SummaryPerson:
    name: str
    position_unit: str
    earned: int
    result: str
    certificate: str


@dataclass(frozen=True)
class CourseSummaryDoc:
    code: str
    name: str
    kind_label: str
    topics: str
    organiser: str
    trainers: str
    mode_label: str
    location: str
    start: dt.date
    end: dt.date
    planned_periods: int
    funding: str
    sessions: list[SummarySession]
    people: list[SummaryPerson]
    today: dt.date
    prepared_by: str = ""
    certificate_label: str = "giấy chứng nhận"


def course_summary_pdf(doc: CourseSummaryDoc, head: Letterhead, target: str | Path) -> Path:
    layout = Layout("A4", margins_mm=(15, 15, 15, 25))
    story: list = [_header(layout, head, doc.today)]
    story += title(layout, "BÁO CÁO KẾT QUẢ KHÓA BỒI DƯỠNG", doc.name)
    scheduled = sum(x.periods for x in doc.sessions)
    story.append(layout.p("<b>I. THÔNG TIN CHUNG</b>", "left"))
    for label, value in (("Mã khóa:", doc.code), ("Loại khóa:", doc.kind_label), ("Chủ đề:", doc.topics),
                         ("Đơn vị tổ chức:", doc.organiser), ("Giảng viên:", doc.trainers),
                         ("Hình thức:", doc.mode_label), ("Địa điểm:", doc.location),
                         ("Thời gian:", f"từ {dmy(doc.start)} đến {dmy(doc.end)}"),
                         ("Số tiết:", f"{scheduled} tiết đã xếp lịch / {doc.planned_periods} tiết dự kiến"),
                         ("Kinh phí:", doc.funding)):
        if value:
            story.append(_para(layout, label, value))
    story.append(Spacer(1, 2 * mm))
    story.append(layout.p(f"<b>II. CÁC BUỔI HỌC</b> ({len(doc.sessions)} buổi)", "left"))
    rows: list[list] = [["STT", "Ngày", "Thời gian", "Số tiết", "Nội dung", "Giảng viên", "Có mặt"]]
    total_people = len(doc.people)
    for i, x in enumerate(doc.sessions, start=1):
        rows.append([_center(layout, str(i)), _center(layout, dmy(x.day)), _center(layout, f"{hm(x.start)}–{hm(x.end)}"),
                     _center(layout, str(x.periods)), x.topic, x.trainer, _center(layout, f"{x.present}/{total_people}")])
    if len(rows) == 1:
        rows.append(["", "", "", "", "Chưa có buổi học nào", "", ""])
    story.append(grid(layout, rows, [0.06, 0.13, 0.14, 0.08, 0.31, 0.17, 0.11]))
    story.append(Spacer(1, 3 * mm))
    passed = sum(1 for p in doc.people if p.result.startswith("Đạt"))
    issued = sum(1 for p in doc.people if p.certificate)
    story.append(layout.p(f"<b>III. KẾT QUẢ HỌC VIÊN</b> ({total_people} người; đạt {passed}; "
                          f"đã cấp {issued} {esc(doc.certificate_label)})", "left"))
    rows = [["STT", "Họ và tên", "Chức vụ, đơn vị", "Số tiết dự", "Kết quả", "Số chứng nhận"]]
    for i, p in enumerate(doc.people, start=1):
        rows.append([_center(layout, str(i)), p.name, p.position_unit, _center(layout, f"{p.earned}/{scheduled}"),
                     p.result, p.certificate])
    if len(rows) == 1:
        rows.append(["", "Chưa có học viên", "", "", "", ""])
    story.append(grid(layout, rows, [0.06, 0.25, 0.25, 0.11, 0.15, 0.18]))
    story.append(Spacer(1, 5 * mm))
    story.append(_signatures(layout, [
        ("NGƯỜI LẬP BÁO CÁO", "(Ký và ghi rõ họ tên)", doc.prepared_by or None), _signer_block(head)]))
    target = Path(target)
    layout.build(target, story, title=f"Báo cáo khóa {doc.code}")
    return target


# -- one official's history ----------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryCourse:
    code: str
    name: str
    kind_label: str
    start: dt.date
    end: dt.date
    earned: int
    result: str
    certificate: str


@dataclass(frozen=True)
class HistoryYear:
    year: int
    by_kind: list[int]          # in the order of HistoryDoc.kind_labels
    total: int
    minimum: int


@dataclass(frozen=True)
class HistoryDoc:
    name: str
    dob: dt.date | None
    position: str
    unit: str
    job_position: str
    grade: str
    courses: list[HistoryCourse]
    years: list[HistoryYear]
    kind_labels: list[str]
    today: dt.date
    prepared_by: str = ""


def person_history_pdf(doc: HistoryDoc, head: Letterhead, target: str | Path) -> Path:
    layout = Layout("A4", margins_mm=(15, 15, 15, 25))
    story: list = [_header(layout, head, doc.today)]
    story += title(layout, "QUÁ TRÌNH BỒI DƯỠNG CỦA CÁN BỘ, CÔNG CHỨC")
    story.append(_para(layout, "Họ và tên:", doc.name))
    for label, value in (("Ngày sinh:", dmy(doc.dob)), ("Chức vụ:", doc.position), ("Đơn vị:", doc.unit),
                         ("Vị trí việc làm:", doc.job_position), ("Ngạch công chức:", doc.grade)):
        if value:
            story.append(_para(layout, label, value))
    story.append(Spacer(1, 2 * mm))
    story.append(layout.p("<b>I. SỐ TIẾT BỒI DƯỠNG THEO NĂM</b>", "left"))
    rows: list[list] = [["Năm", *doc.kind_labels, "Tổng", "Tối thiểu", "Còn thiếu"]]
    for y in doc.years:
        rows.append([str(y.year), *[str(n) if n else "" for n in y.by_kind], str(y.total), str(y.minimum),
                     str(max(0, y.minimum - y.total)) if y.total < y.minimum else "Đủ"])
    kinds = len(doc.kind_labels)
    story.append(grid(layout, rows, [0.1] + [0.5 / kinds] * kinds + [0.13, 0.13, 0.14], style="cell_center"))
    story.append(Spacer(1, 3 * mm))
    story.append(layout.p(f"<b>II. CÁC KHÓA ĐÃ THAM GIA</b> ({len(doc.courses)} khóa)", "left"))
    rows = [["STT", "Khóa bồi dưỡng", "Loại", "Thời gian", "Số tiết", "Kết quả", "Chứng nhận"]]
    for i, c in enumerate(doc.courses, start=1):
        rows.append([_center(layout, str(i)), f"{c.code} — {c.name}", c.kind_label,
                     _center(layout, f"{dmy(c.start)} – {dmy(c.end)}"), _center(layout, str(c.earned)), c.result,
                     c.certificate])
    if len(rows) == 1:
        rows.append(["", "Chưa tham gia khóa nào", "", "", "", "", ""])
    story.append(grid(layout, rows, [0.06, 0.3, 0.13, 0.15, 0.08, 0.12, 0.16]))
    story.append(Spacer(1, 5 * mm))
    story.append(_signatures(layout, [
        ("NGƯỜI LẬP", "(Ký và ghi rõ họ tên)", doc.prepared_by or None), _signer_block(head)]))
    target = Path(target)
    layout.build(target, story, title=f"Quá trình bồi dưỡng — {doc.name}")
    return target
