"""The answer to a citizen's request to see their own data (Law 91/2025 on personal data,
FACTS.md 8.1): every dossier and every step the office holds under one ID number.

An official paper, so always Vietnamese (no ``_()``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from commune_desk.printing.layout import Layout, esc, grid, header, money, signatures, title, vn_date


@dataclass(frozen=True)
class EventLine:
    at: dt.datetime          # local
    step: str
    actor: str
    note: str


@dataclass(frozen=True)
class DossierData:
    code: str
    procedure: str
    fields: list[tuple[str, str]]        # (label, value), already in Vietnamese
    events: list[EventLine] = field(default_factory=list)


@dataclass(frozen=True)
class CitizenData:
    id_number: str
    parent_body: str
    issuing_unit: str
    place: str
    office_name: str
    made_at: dt.datetime     # local
    made_by: str
    dossiers: list[DossierData]
    other_records: list[tuple[str, str]] = field(default_factory=list)  # (kind, description)


def build_citizen_data(data: CitizenData, target: Path) -> None:
    layout = Layout("A4")
    st = layout.styles
    story: list = [header(layout, parent_body=data.parent_body, issuing_unit=data.issuing_unit, number_line=None,
                          place=data.place, day=data.made_at.date()),
                   Spacer(1, 6 * mm)]
    story += title(layout, "Thông tin dữ liệu cá nhân đang lưu giữ",
                   "(Cung cấp theo yêu cầu của chủ thể dữ liệu)")
    story.append(layout.p(
        f"{esc(data.office_name)} cung cấp toàn bộ dữ liệu cá nhân đang lưu giữ trong phần mềm một cửa gắn với "
        f"số định danh cá nhân <b>{esc(data.id_number)}</b>, tính đến {esc(data.made_at.strftime('%H giờ %M'))}, "
        f"{vn_date(data.made_at.date())}, theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15.", "body_indent"))
    if not data.dossiers:
        story.append(layout.p("Đơn vị không lưu giữ hồ sơ nào gắn với số định danh này.", "body_indent"))
    for n, dossier in enumerate(data.dossiers, 1):
        block: list = [Paragraph(f"<b>{n}. Hồ sơ {esc(dossier.code)}</b> — {esc(dossier.procedure)}", st["left"])]
        block.append(grid(layout, [["Thông tin", "Nội dung"], *[[k, v or "—"] for k, v in dossier.fields]],
                          [0.32, 0.68]))
        story.append(KeepTogether(block[:2]))
        if dossier.events:
            story.append(Spacer(1, 2 * mm))
            rows = [["Thời gian", "Bước xử lý", "Người thực hiện", "Ghi chú"]]
            rows += [[e.at.strftime("%H:%M %d/%m/%Y"), e.step, e.actor or "", e.note or ""] for e in dossier.events]
            story.append(grid(layout, rows, [0.2, 0.3, 0.22, 0.28]))
        story.append(Spacer(1, 5 * mm))
    if data.other_records:
        story.append(Paragraph("<b>Dữ liệu khác</b>", st["left"]))
        story.append(grid(layout, [["Loại", "Nội dung"], *[[k, v] for k, v in data.other_records]], [0.32, 0.68]))
    story.append(Spacer(1, 4 * mm))
    story.append(layout.p("Chủ thể dữ liệu có quyền đề nghị chỉnh sửa dữ liệu không chính xác, hạn chế xử lý "
                          "hoặc xóa dữ liệu theo quy định của pháp luật.", "body_indent"))
    story.append(Spacer(1, 4 * mm))
    story.append(signatures(layout, [("NGƯỜI NHẬN", "(Ký và ghi rõ họ tên)", None),
                                     ("NGƯỜI LẬP", "(Ký và ghi rõ họ tên)", data.made_by)]))
    layout.build(target, story, title="Thông tin dữ liệu cá nhân đang lưu giữ")


def fee_text(vnd: int | None) -> str:
    return money(vnd) if vnd else "Không"
