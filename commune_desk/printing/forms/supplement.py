"""Mẫu 02 — PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ (TT 03/2025 and TT 01/2018 alike).

Wording after the Thanh Hóa implementation of the 2018 form (FACTS.md 1.1, [S]); the 2025
field list is not known, so the 2025 wording adds only what Decree 118/2025 changed (one
request listing everything, the clock restarting, the closing after 15 days). Every word
of this form is in :data:`WORDING`: a correction is made here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus import Spacer

from commune_desk.printing.forms.common import (
    CIRCULAR,
    DossierFacts,
    OfficeWording,
    applicant_block,
    code_line,
    day_text,
    form_number,
    sentence,
    value,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc, header, signatures, title

PAPER = "A5"   # TT 01/2018 art. 9.2

WORDING = {
    "2025": {
        "form_no": "Mẫu số 02",
        "number": "Số: ……/HDHS",
        "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "ask": "Sau khi xem xét, thẩm định, đề nghị {honorific} bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
        "reason": "Lý do: {reason}",
        "once": ("Hồ sơ được bổ sung, hoàn thiện một lần theo đầy đủ các nội dung trên. Thời gian giải quyết được "
                 "tính lại từ đầu kể từ khi nhận đủ hồ sơ."),
        "close": ("Nếu đến hết {complete_by} {honorific} chưa bổ sung, hoàn thiện hồ sơ thì hồ sơ sẽ được "
                  "đóng trên hệ thống (sau {days} ngày kể từ ngày thông báo)."),
        "contact": ("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {honorific} liên hệ với {contact}, "
                    "số điện thoại {phone} để được hướng dẫn."),
        "signer": "NGƯỜI HƯỚNG DẪN",
    },
    "2018": {
        "form_no": "Mẫu số 02",
        "number": "Số: ……/HDHS",
        "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "ask": "Yêu cầu {honorific} hoàn thiện hồ sơ gồm những nội dung sau:",
        "reason": "Lý do: {reason}",
        "once": None,
        "close": None,
        "contact": ("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {honorific} liên hệ với {contact}, "
                    "số điện thoại {phone} để được hướng dẫn."),
        "signer": "NGƯỜI HƯỚNG DẪN",
    },
}


@dataclass(frozen=True)
class SupplementData:
    rules_set: str
    office: OfficeWording
    facts: DossierFacts
    items: list[str]
    reason: str
    requested_local: dt.datetime
    guide_name: str                       # who gives the guidance and signs
    contact_name: str | None = None
    contact_phone: str | None = None
    complete_by: dt.date | None = None    # the last day to complete (2025 rules)
    close_days: int = 15
    extra: dict = field(default_factory=dict)


def story(layout: Layout, data: SupplementData) -> list:
    w = WORDING[data.rules_set]
    p = layout.p
    facts, office = data.facts, data.office
    hon = esc(facts.honorific)
    out: list = [
        form_number(layout, f"{w['form_no']} ({CIRCULAR[data.rules_set]})"),
        header(layout, parent_body=office.parent_body, issuing_unit=office.issuing_unit, number_line=w["number"],
               place=office.place, day=data.requested_local.date()),
        *title(layout, w["title"]),
        code_line(layout, facts.code),
        Spacer(1, 3 * layout.scale),
        *applicant_block(layout, office, facts),
        p(w["ask"].format(honorific=hon), "left"),
    ]
    out += [p(f"{i}. {esc(item)}", "body") for i, item in enumerate(data.items, 1)]
    out.append(p(w["reason"].format(reason=esc(sentence(data.reason))), "body"))
    if w["once"]:
        out.append(p(w["once"], "body"))
    if w["close"] and data.complete_by:
        out.append(p(w["close"].format(complete_by=day_text(data.complete_by), honorific=hon,
                                       days=data.close_days), "body"))
    out.append(p(w["contact"].format(honorific=hon, contact=value(data.contact_name or data.guide_name),
                                     phone=value(data.contact_phone)), "body"))
    out.append(Spacer(1, 4 * layout.scale))
    out.append(signatures(layout, [("", None, None), (w["signer"], "(Ký và ghi rõ họ tên)", data.guide_name)],
                          gap_mm=18))
    return out


def build(items: list[SupplementData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"{WORDING['2025']['title'].capitalize()} — {', '.join(i.facts.code for i in items)}")
