"""Mẫu 04 — the written apology with the new appointment.

- 2025 (TT 03/2025): VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT;
- 2018 (TT 01/2018): PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ.

Issued by the agency that caused the delay (here the commune's People's Committee), signed
and sealed by its head, at least one working day before the appointment, once (Decree
118/2025 art. 19.6). Wording after the Đồng Nai / Chơn Thành implementation (FACTS.md 1.1,
[S]). Every word of this form is in :data:`WORDING`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from commune_desk.printing.forms.common import (
    DossierFacts,
    OfficeWording,
    letter_fill,
    letter_to_citizen,
    sentence,
    write_pdf,
)
from commune_desk.printing.layout import Layout, esc, vn_time

PAPER = "A5"
DEFAULT_SIGNER_TITLE = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"

WORDING = {
    "2025": {
        "form_no": "Mẫu số 04",
        "number": "Số: ……/PXL",
        "title": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "to": "Kính gửi: {honorific} {name}",
        "contact": "Địa chỉ: {address}. Số điện thoại: {phone}.",
        "facts": ("Ngày {received}, {unit} tiếp nhận hồ sơ của {honorific} đề nghị giải quyết thủ tục "
                  "{procedure}; mã hồ sơ: {code}; thời gian hẹn trả kết quả: {due}."),
        "late": "Đến nay, {authority} chưa trả kết quả giải quyết hồ sơ đúng hạn.",
        "reason": "Lý do: {reason}",
        "apology": ("{authority} thành thật xin lỗi {honorific} vì sự chậm trễ này và đề nghị gia hạn thời gian "
                    "giải quyết hồ sơ."),
        "new_due": "Thời gian hẹn trả kết quả lại: {new_due}.",
        "closing": "Rất mong nhận được sự thông cảm của {honorific}./.",
        "recipients": ["Như trên", "{unit}", "Lưu: VT"],
    },
    "2018": {
        "form_no": "Mẫu số 04",
        "number": "Số: ……/PXL",
        "title": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "to": "Kính gửi: {honorific} {name}",
        "contact": "Địa chỉ: {address}. Số điện thoại: {phone}.",
        "facts": ("Ngày {received}, {unit} tiếp nhận hồ sơ của {honorific} đề nghị giải quyết thủ tục "
                  "{procedure}; mã hồ sơ: {code}; thời gian hẹn trả kết quả: {due}."),
        "late": "Tuy nhiên đến nay, {authority} chưa trả kết quả giải quyết hồ sơ đúng hạn.",
        "reason": "Lý do: {reason}",
        "apology": "{authority} xin lỗi {honorific} và xin hẹn lại thời gian trả kết quả.",
        "new_due": "Thời gian hẹn trả kết quả lại: {new_due}.",
        "closing": "Rất mong nhận được sự thông cảm của {honorific}./.",
        "recipients": ["Như trên", "{unit}", "Lưu: VT"],
    },
}


@dataclass(frozen=True)
class ApologyData:
    rules_set: str
    office: OfficeWording
    facts: DossierFacts
    reason: str
    old_due_local: dt.datetime
    new_due_local: dt.datetime
    issued_local: dt.datetime
    signer_name: str
    signer_title: str = DEFAULT_SIGNER_TITLE


def story(layout: Layout, data: ApologyData) -> list:
    fill = letter_fill(data.facts, data.office) | dict(
        due=vn_time(data.old_due_local), reason=esc(sentence(data.reason)),
        new_due=f"<b>{vn_time(data.new_due_local)}</b>")
    return letter_to_citizen(layout, WORDING[data.rules_set], data.rules_set, data.office,
                             data.issued_local.date(), fill,
                             ["facts", "late", "reason", "apology", "new_due", "closing"],
                             data.signer_title, data.signer_name)


def build(items: list[ApologyData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER,
              title=f"Văn bản xin lỗi, hẹn lại ngày trả kết quả — {', '.join(i.facts.code for i in items)}")
