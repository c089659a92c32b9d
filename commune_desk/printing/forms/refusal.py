"""Mẫu 03 — PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ (TT 03/2025 and TT 01/2018 alike).

Wording after the Thanh Hóa implementation of the 2018 form (FACTS.md 1.1, [S]). The same
form serves a refusal at the counter and one after appraisal (issued within the processing
time). Every word of this form is in :data:`WORDING`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.platypus import Spacer

from commune_desk.printing.forms.common import (
    CIRCULAR,
    DossierFacts,
    OfficeWording,
    applicant_block,
    code_line,
    form_number,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc, header, signatures, title

PAPER = "A5"

WORDING = {
    "2025": {
        "form_no": "Mẫu số 03",
        "number": "Số: ……/TC",
        "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "statement": ("Sau khi xem xét, đối chiếu với quy định, hồ sơ của {honorific} không đủ điều kiện để "
                      "tiếp nhận, giải quyết với lý do cụ thể như sau:"),
        "closing": "Xin thông báo cho {honorific} được biết và thực hiện./.",
        "signer": "NGƯỜI TIẾP NHẬN HỒ SƠ",
    },
    "2018": {
        "form_no": "Mẫu số 03",
        "number": "Số: ……/TC",
        "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "statement": ("Qua xem xét, đối chiếu với quy định, hồ sơ của {honorific} không được tiếp nhận, giải "
                      "quyết với lý do cụ thể như sau:"),
        "closing": "Xin thông báo cho {honorific} được biết và thực hiện./.",
        "signer": "NGƯỜI TIẾP NHẬN HỒ SƠ",
    },
}


@dataclass(frozen=True)
class RefusalData:
    rules_set: str
    office: OfficeWording
    facts: DossierFacts
    reason: str
    refused_local: dt.datetime
    officer_name: str


def story(layout: Layout, data: RefusalData) -> list:
    w = WORDING[data.rules_set]
    p = layout.p
    hon = esc(data.facts.honorific)
    reasons = [line.strip() for line in data.reason.splitlines() if line.strip()]
    out: list = [
        form_number(layout, f"{w['form_no']} ({CIRCULAR[data.rules_set]})"),
        header(layout, parent_body=data.office.parent_body, issuing_unit=data.office.issuing_unit,
               number_line=w["number"], place=data.office.place, day=data.refused_local.date()),
        *title(layout, w["title"]),
        code_line(layout, data.facts.code),
        Spacer(1, 3 * layout.scale),
        *applicant_block(layout, data.office, data.facts),
        p(w["statement"].format(honorific=hon), "body"),
    ]
    if len(reasons) == 1:
        out.append(p(f"- {esc(reasons[0])}", "body"))
    else:
        out += [p(f"{i}. {esc(r)}", "body") for i, r in enumerate(reasons, 1)]
    out += [
        p(w["closing"].format(honorific=hon), "body"),
        Spacer(1, 4 * layout.scale),
        signatures(layout, [("", None, None), (w["signer"], "(Ký và ghi rõ họ tên)", data.officer_name)], gap_mm=18),
    ]
    return out


def build(items: list[RefusalData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"Phiếu từ chối tiếp nhận giải quyết hồ sơ — {', '.join(i.facts.code for i in items)}")
