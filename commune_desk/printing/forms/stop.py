"""Mẫu 05 of TT 03/2025 — THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ (new in 2025; the 2018 set has no
such form). The applicant asked to stop (Decree 118/2025 art. 21); the agency tells them
the handling stopped and how to take the papers back. Field list not seen (FACTS.md 1.2):
every word is in :data:`WORDING` so a correction is local.
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
    day_text,
    form_number,
    procedure_phrase,
    recipients_and_signature,
    sentence,
    value,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc, header, title, vn_date

PAPER = "A5"
DEFAULT_SIGNER_TITLE = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
SETS = ("2025",)

WORDING = {
    "2025": {
        "form_no": "Mẫu số 05",
        "number": "Số: ……/TB",
        "title": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "to": "Kính gửi: {honorific} {name}",
        "contact": "Địa chỉ: {address}. Số điện thoại: {phone}.",
        "facts": ("Ngày {received}, {unit} tiếp nhận hồ sơ của {honorific} đề nghị giải quyết thủ tục "
                  "{procedure}; mã hồ sơ: {code}."),
        "request": "Ngày {request_date}, {honorific} đề nghị dừng giải quyết hồ sơ nêu trên. Lý do: {reason}",
        "decision": "{authority} thông báo dừng giải quyết hồ sơ nêu trên kể từ {stop_date}.",
        "papers": "{honorific} liên hệ {unit} để nhận lại hồ sơ đã nộp (nếu có).",
        "closing": "Xin thông báo để {honorific} được biết./.",
        "recipients": ["Như trên", "{unit}", "Lưu: VT"],
    },
}


@dataclass(frozen=True)
class StopData:
    rules_set: str
    office: OfficeWording
    facts: DossierFacts
    reason: str
    request_date: dt.date | None
    stopped_local: dt.datetime
    signer_name: str | None
    signer_title: str = DEFAULT_SIGNER_TITLE


def story(layout: Layout, data: StopData) -> list:
    w = WORDING[data.rules_set]
    p = layout.p
    f, o = data.facts, data.office
    fill = dict(honorific=esc(f.honorific), name=esc(f.applicant_name), address=value(f.address),
                phone=value(f.phone), received=vn_date(f.received_local.date()).removeprefix("ngày "), unit=esc(o.receiving_unit),
                procedure=f"<b>{esc(procedure_phrase(f.procedure_name))}</b>", code=f"<b>{esc(f.code)}</b>",
                request_date=day_text(data.request_date).removeprefix("ngày "), reason=esc(sentence(data.reason)),
                authority=esc(o.authority), stop_date=day_text(data.stopped_local))
    return [
        form_number(layout, f"{w['form_no']} ({CIRCULAR[data.rules_set]})"),
        header(layout, parent_body="", issuing_unit=o.authority_heading, number_line=w["number"], place=o.place,
               day=data.stopped_local.date()),
        *title(layout, w["title"]),
        Spacer(1, 2 * layout.scale),
        p(w["to"].format(**fill), "center"),
        p(w["contact"].format(**fill), "center"),
        Spacer(1, 3 * layout.scale),
        p(w["facts"].format(**fill), "body_indent"),
        p(w["request"].format(**fill), "body_indent"),
        p(w["decision"].format(**fill), "body_indent"),
        p(w["papers"].format(**fill), "body_indent"),
        p(w["closing"].format(**fill), "body_indent"),
        Spacer(1, 3 * layout.scale),
        recipients_and_signature(layout, [line.format(unit=o.receiving_unit) for line in w["recipients"]],
                                 data.signer_title, data.signer_name),
    ]


def build(items: list[StopData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"Thông báo dừng giải quyết hồ sơ — {', '.join(i.facts.code for i in items)}")
