"""The blank citizen evaluation sheet (Decree 118/2025 art. 33.1 a–i; Decree 61/2018 art.
31; handed out with Mẫu 01, 02 and 03, TT 01/2018 art. 12). The rater writes no name: the
sheet asks for none (Decree 61 art. 27). The criteria come from ``services.ratings`` (one
list for the screen and the paper); every other word is in :data:`WORDING`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from commune_desk.printing.forms.common import OfficeWording, write_pdf
from commune_desk.printing.layout import Layout, esc, grid, header, title

PAPER = "A4"
BOX = "□"

WORDING = {
    "title": "PHIẾU ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
    "anonymous": "(Người đánh giá không ghi tên; thông tin được giữ bí mật)",
    "dossier": "Mã hồ sơ (nếu có): {code}",
    "procedure": "Thủ tục hành chính: ……………………………………………………………………",
    "intro": ("Để nâng cao chất lượng phục vụ, xin Ông/Bà vui lòng đánh dấu (X) vào một ô phù hợp ở mỗi "
              "tiêu chí (bỏ trống nếu không liên quan):"),
    "column": "Tiêu chí đánh giá",
    "other": "{letter}) {question}:",
    "complaint": "Ông/Bà có phản ánh, kiến nghị, khiếu nại về việc giải quyết hồ sơ không?",
    "complaint_options": ("Có", "Không"),
    "overall": "Nhìn chung, Ông/Bà có hài lòng với việc giải quyết hồ sơ không?",
    "overall_options": ("Hài lòng", "Không hài lòng"),
    "thanks": "Xin trân trọng cảm ơn Ông/Bà!",
    "drop": "Phiếu được bỏ vào hòm phiếu hoặc gửi lại {unit}.",
}


@dataclass(frozen=True)
class SheetCriterion:
    letter: str
    question: str
    options: list[str]


@dataclass(frozen=True)
class RatingSheetData:
    office: OfficeWording
    criteria: list[SheetCriterion]
    other_letter: str
    other_question: str
    printed_local: dt.datetime
    code: str | None = None


def _choices(labels: tuple[str, ...] | list[str]) -> str:
    return "&nbsp;&nbsp;&nbsp;&nbsp;".join(f"{BOX} {esc(label)}" for label in labels)


def story(layout: Layout, data: RatingSheetData) -> list:
    p = layout.p
    s = layout.scale
    cell = layout.styles["cell"]
    out: list = [
        header(layout, parent_body=data.office.parent_body, issuing_unit=data.office.issuing_unit,
               number_line=None, place=data.office.place, day=None),
        *title(layout, WORDING["title"]),
        p(f"<i>{esc(WORDING['anonymous'])}</i>", "center"),
        Spacer(1, 4 * s),
        p(esc(WORDING["dossier"].format(code=data.code or "………………………………")), "left"),
        p(esc(WORDING["procedure"]), "left"),
        p(esc(WORDING["intro"]), "body"),
    ]
    width = max(len(c.options) for c in data.criteria)
    rows: list[list] = [[WORDING["column"], *([""] * width)]]
    for c in data.criteria:
        cells = [Paragraph(f"<b>{esc(c.letter)})</b> {esc(c.question)}", cell)]
        cells += [Paragraph(f"{BOX} {esc(o)}", cell) for o in c.options] + [""] * (width - len(c.options))
        rows.append(cells)
    table = grid(layout, rows, [0.40] + [0.60 / width] * width)
    table.setStyle([("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 1), (-1, -1), "MIDDLE")])
    width_pt = layout.frame_width
    lines = Table([[""]] * 3, colWidths=[width_pt], rowHeights=[7 * mm * s] * 3)
    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, (0, 0, 0), None, (1, 2))]))
    questions = Table([[Paragraph(esc(WORDING[q]), cell), Paragraph(_choices(WORDING[f"{q}_options"]), cell)]
                       for q in ("complaint", "overall")], colWidths=[width_pt * 0.68, width_pt * 0.32])
    questions.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    out += [
        table,
        Spacer(1, 5 * s),
        p(esc(WORDING["other"].format(letter=data.other_letter, question=data.other_question)), "left"),
        lines,
        Spacer(1, 5 * s),
        questions,
        Spacer(1, 6 * s),
        p(f"<i>{esc(WORDING['drop'].format(unit=data.office.receiving_unit))}</i>", "center"),
        p(f"<b>{esc(WORDING['thanks'])}</b>", "center"),
    ]
    return out


def build(items: list[RatingSheetData], target: str | Path) -> None:
    write_pdf(target, items, story, paper=PAPER, title="Phiếu đánh giá việc giải quyết thủ tục hành chính")
