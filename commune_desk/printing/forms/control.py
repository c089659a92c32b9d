"""The processing control slip — PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ (TT 03/2025
Mẫu 06; TT 01/2018 Mẫu 05).

One row per hand-off: who gave the dossier, who received it, when (with a box for each
one's signature), whether the giver's step was early, on time or late against its
deadline, and a note. The first row starts at the receiving office; the last brings the
result back to it (FACTS.md 1.1, after the Đồng Nai implementation, [S]). Every word of
this form is in :data:`WORDING`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from commune_desk.printing.forms.common import (
    CIRCULAR,
    DossierFacts,
    OfficeWording,
    code_line,
    form_number,
    value,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc, header, title

PAPER = "A5"

WORDING = {
    "2025": {
        "form_no": "Mẫu số 06",
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "applicant": "Hồ sơ của: {honorific} {name}. Yêu cầu giải quyết: {procedure}",
        "times": "Nhận hồ sơ: {received}. Hẹn trả kết quả: {due}",
        "lead": "Cơ quan (bộ phận) giải quyết hồ sơ: {lead}",
        "partners": "Cơ quan phối hợp giải quyết: {partners}",
        "columns": ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
                    "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/ đúng hạn/ quá hạn)", "GHI CHÚ"),
        "give": "1. Giao: {who}",
        "take": "2. Nhận: {who}",
        "when": "{hh} giờ {mm} phút, ngày {day}",
        "giver": "Người giao",
        "taker": "Người nhận",
        "deadline": "(hạn: {deadline})",
    },
    "2018": {
        "form_no": "Mẫu số 05",
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "applicant": "Hồ sơ của: {honorific} {name}. Yêu cầu giải quyết: {procedure}",
        "times": "Nhận hồ sơ: {received}. Hẹn trả kết quả: {due}",
        "lead": "Cơ quan (bộ phận) giải quyết hồ sơ: {lead}",
        "partners": "Cơ quan phối hợp giải quyết: {partners}",
        "columns": ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
                    "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/ đúng hạn/ quá hạn)", "GHI CHÚ"),
        "give": "1. Giao: {who}",
        "take": "2. Nhận: {who}",
        "when": "{hh} giờ {mm} phút, ngày {day}",
        "giver": "Người giao",
        "taker": "Người nhận",
        "deadline": "(hạn: {deadline})",
    },
}


@dataclass(frozen=True)
class HandOffRow:
    giver: str
    receiver: str
    at_local: dt.datetime
    outcome: str | None            # "Trước hạn" | "Đúng hạn" | "Quá hạn" (the giver's step)
    deadline_local: dt.datetime | None
    note: str | None = None


@dataclass(frozen=True)
class ControlData:
    rules_set: str
    office: OfficeWording
    facts: DossierFacts
    lead: str                      # the agency that handles the dossier
    partners: list[str]            # agencies it was transferred to (liên thông)
    rows: list[HandOffRow]
    printed_local: dt.datetime


def _short(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M %d/%m/%Y") if moment else "…"


def story(layout: Layout, data: ControlData) -> list:
    w = WORDING[data.rules_set]
    p = layout.p
    f, o = data.facts, data.office
    s = layout.scale
    out: list = [
        form_number(layout, f"{w['form_no']} ({CIRCULAR[data.rules_set]})"),
        header(layout, parent_body=o.parent_body, issuing_unit=o.issuing_unit, number_line=None, place=o.place,
               day=data.printed_local.date()),
        *title(layout, w["title"]),
        code_line(layout, f.code),
        Spacer(1, 2 * s),
        p(w["applicant"].format(honorific=esc(f.honorific), name=f"<b>{esc(f.applicant_name)}</b>",
                                procedure=esc(f.procedure_name)), "left"),
        p(w["times"].format(received=_short(f.received_local), due=_short(f.due_local)), "left"),
        p(w["lead"].format(lead=value(data.lead)), "left"),
        p(w["partners"].format(partners=value("; ".join(data.partners))), "left"),
        Spacer(1, 3 * s),
    ]
    cell, center, head = layout.styles["cell"], layout.styles["cell_center"], layout.styles["cell_head"]
    rows: list[list] = [[Paragraph(esc(c), head) for c in w["columns"]]]
    for row in data.rows:
        when = w["when"].format(hh=f"{row.at_local.hour:02d}", mm=f"{row.at_local.minute:02d}",
                                day=row.at_local.strftime("%d/%m/%Y"))
        sign = Table([[Paragraph(w["giver"], center), Paragraph(w["taker"], center)]],
                     colWidths=[None, None], rowHeights=[14 * mm * s])
        sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        outcome = [Paragraph(esc(row.outcome or ""), center)]
        if row.deadline_local:
            outcome.append(Paragraph(esc(w["deadline"].format(deadline=_short(row.deadline_local))), center))
        rows.append([[Paragraph(esc(w["give"].format(who=row.giver)), cell),
                      Paragraph(esc(w["take"].format(who=row.receiver)), cell)],
                     [Paragraph(esc(when), center), sign], outcome, Paragraph(esc(row.note or ""), cell)])
    width = layout.frame_width
    table = Table(rows, colWidths=[width * r for r in (0.30, 0.32, 0.20, 0.18)], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    out.append(table)
    return out


def build(items: list[ControlData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ — {', '.join(i.facts.code for i in items)}")
