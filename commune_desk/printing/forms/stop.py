"""Mẫu 05 of TT 03/2025 — THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ (new in 2025; the 2018 set has no
such form). The applicant asked to stop (Decree 118/2025 art. 21); the agency tells them
the handling stopped and how to take the papers back. Field list not seen (FACTS.md 1.2):
every word is in :data:`WORDING` so a correction is local.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from commune_desk.printing.forms.common import (
    DossierFacts,
    OfficeWording,
    day_text,
    letter_fill,
    letter_to_citizen,
    sentence,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc

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
    fill = letter_fill(data.facts, data.office) | dict(
        request_date=day_text(data.request_date).removeprefix("ngày "), reason=esc(sentence(data.reason)),
        stop_date=day_text(data.stopped_local))
    return letter_to_citizen(layout, WORDING[data.rules_set], data.rules_set, data.office,
                             data.stopped_local.date(), fill, ["facts", "request", "decision", "papers", "closing"],
                             data.signer_title, data.signer_name)


def build(items: list[StopData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"Thông báo dừng giải quyết hồ sơ — {', '.join(i.facts.code for i in items)}")
