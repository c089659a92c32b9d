"""What the lifecycle's forms share: the office's wording, the dossier's facts, the form's
number line above the heading, the applicant block, and writing one PDF with one form (or
one form per dossier) per page.

Printed forms are always Vietnamese: no ``_()`` here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from commune_desk.printing.fonts import font_name
from commune_desk.printing.layout import Layout, esc, header, recipients, title, vn_date

BLANK = "…………………"
SETS = ("2025", "2018")
CIRCULAR = {"2025": "Thông tư số 03/2025/TT-VPCP", "2018": "Thông tư số 01/2018/TT-VPCP"}


@dataclass(frozen=True)
class OfficeWording:
    """How the office names itself on paper (services.documents computes it)."""

    parent_body: str         # "UBND XÃ MINH TÂN"
    issuing_unit: str        # "TRUNG TÂM PHỤC VỤ\nHÀNH CHÍNH CÔNG" ("\n": line break)
    receiving_unit: str      # "Trung tâm Phục vụ hành chính công xã Minh Tân"
    place: str               # "Minh Tân"
    authority: str           # "Ủy ban nhân dân xã Minh Tân" (the agency that decides)
    authority_heading: str   # "ỦY BAN NHÂN DÂN\nXÃ MINH TÂN" (its letters' heading)


@dataclass(frozen=True)
class DossierFacts:
    """The dossier as the forms name it (local times)."""

    code: str
    honorific: str           # Ông | Bà | Ông/Bà
    applicant_name: str
    id_number: str
    address: str
    phone: str
    email: str
    procedure_name: str
    procedure_code: str
    received_local: dt.datetime
    due_local: dt.datetime | None
    original_due_local: dt.datetime | None
    receiver_name: str


def value(text: object) -> str:
    """A field's text, or dots to fill by hand."""
    return esc(text) if text not in (None, "") else BLANK


def form_number(layout: Layout, label: str) -> Paragraph:
    """The small "Mẫu số 02 (Thông tư …)" line above the heading, at the right."""
    style = ParagraphStyle("form_no", fontName=font_name("italic"), fontSize=9.5 * layout.scale,
                           leading=11 * layout.scale, alignment=2)
    return Paragraph(esc(label), style)


def applicant_block(layout: Layout, office: OfficeWording, facts: DossierFacts, *, intro: bool = True) -> list:
    """"<unit> tiếp nhận hồ sơ của: Ông X; Địa chỉ; Số điện thoại, Email; Nội dung yêu cầu"."""
    p = layout.p
    out = []
    if intro:
        out.append(p(f"{esc(office.receiving_unit)} tiếp nhận hồ sơ của:", "left"))
    out += [
        p(f"{esc(facts.honorific)} <b>{esc(facts.applicant_name)}</b>", "left"),
        p(f"Địa chỉ: {value(facts.address)}", "left"),
        p(f"Số điện thoại: {value(facts.phone)}&nbsp;&nbsp;&nbsp;&nbsp;Email: {value(facts.email)}", "left"),
        p(f"Nội dung yêu cầu giải quyết: <b>{esc(facts.procedure_name)}</b>", "left"),
    ]
    return out


def code_line(layout: Layout, code: str) -> Paragraph:
    return layout.p(f"Mã hồ sơ: <b>{esc(code)}</b>", "center")


def recipients_and_signature(layout: Layout, lines: list[str], sign_title: str, sign_name: str | None,
                             *, note: str | None = None, gap_mm: float = 20) -> Table:
    """Decree 30 closing: "Nơi nhận" at the left, the signature block at the right."""
    s = layout.scale
    sign = [Paragraph(f"<b>{esc(line)}</b>", layout.styles["sign_title"]) for line in sign_title.split("\n")]
    if note:
        sign.append(Paragraph(esc(note), layout.styles["sign_note"]))
    sign.append(Table([[""]], rowHeights=[gap_mm * mm * s]))
    if sign_name:
        sign.append(Paragraph(f"<b>{esc(sign_name)}</b>", layout.styles["sign_title"]))
    width = layout.frame_width
    table = Table([[recipients(layout, lines), sign]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def letter_fill(facts: DossierFacts, office: OfficeWording) -> dict[str, str]:
    """The placeholders every letter to a citizen about their dossier shares."""
    return dict(honorific=esc(facts.honorific), name=esc(facts.applicant_name), address=value(facts.address),
                phone=value(facts.phone), received=vn_date(facts.received_local.date()).removeprefix("ngày "),
                unit=esc(office.receiving_unit), procedure=f"<b>{esc(procedure_phrase(facts.procedure_name))}</b>",
                code=f"<b>{esc(facts.code)}</b>", authority=esc(office.authority))


def letter_to_citizen(layout: Layout, wording: dict, rules_set: str, office: OfficeWording, day: dt.date,
                      fill: dict[str, str], paragraphs: list[str], signer_title: str,
                      signer_name: str | None) -> list:
    """A commune's letter to one citizen (apology, stop notice): Decree 30 header, title,
    "Kính gửi", the body paragraphs named by their wording keys, recipients and signature."""
    p = layout.p
    return [
        form_number(layout, f"{wording['form_no']} ({CIRCULAR[rules_set]})"),
        header(layout, parent_body="", issuing_unit=office.authority_heading, number_line=wording["number"],
               place=office.place, day=day),
        *title(layout, wording["title"]),
        Spacer(1, 2 * layout.scale),
        p(wording["to"].format(**fill), "center"),
        p(wording["contact"].format(**fill), "center"),
        Spacer(1, 3 * layout.scale),
        *(p(wording[key].format(**fill), "body_indent") for key in paragraphs),
        Spacer(1, 3 * layout.scale),
        recipients_and_signature(layout, [line.format(unit=office.receiving_unit) for line in wording["recipients"]],
                                 signer_title, signer_name),
    ]


def sentence(text: str) -> str:
    """Typed text ending with a full stop (unless it already ends a sentence)."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?…:;)" else text + "."


def procedure_phrase(name: str) -> str:
    """A procedure's name to follow "thủ tục": "Thủ tục đăng ký giám hộ" -> "đăng ký giám hộ"."""
    text = name.strip()
    if text.lower().startswith("thủ tục "):
        text = text[len("thủ tục "):]
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def day_text(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return "ngày … tháng … năm …"
    return vn_date(moment.date() if isinstance(moment, dt.datetime) else moment)


T = TypeVar("T")


def write_pdf(target: str | Path, items: list[T], story: Callable[[Layout, T], list], *, paper: str,
              title: str) -> None:
    """One page per item (a form that would spill over shrinks to fit its page), no frame
    padding (the layout's tables are exactly the frame's width)."""
    if not items:
        raise ValueError("nothing to print")
    layout = Layout(paper=paper)
    top, right, bottom, left = layout.margins_mm
    frame_h = layout.pagesize[1] - (top + bottom) * mm
    flow: list = []
    for item in items:
        if flow:
            flow.append(PageBreak())
        flow.append(KeepInFrame(layout.frame_width, frame_h, story(layout, item), mode="shrink"))
    doc = BaseDocTemplate(str(target), pagesize=layout.pagesize, topMargin=top * mm, rightMargin=right * mm,
                          bottomMargin=bottom * mm, leftMargin=left * mm, creator="commune_desk",
                          author="commune_desk", title=title, subject=title)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="form",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("form", [frame])])
    doc.build(flow)
