"""Procedure catalog rules: how a shipped or imported entry becomes a catalog record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from commune_desk.domain.text import fold, normalize
from commune_desk.i18n import _

CODE_RE = re.compile(r"^\d\.\d{6}$")
DOC_FORMS = ("bản chính", "bản sao", "xuất trình")
TIME_KINDS = ("working_days", "same_day", "calendar_days")


@dataclass
class ProcedureSpec:
    """A procedure as the domain sees it (no database)."""

    code: str
    name: str
    field: str
    level: str = "Cấp xã"
    time_kind: str = "working_days"
    time_value: int | None = None
    cutoff_next_day: bool = False
    returns_on_spot: bool = False
    fees: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    result: str | None = None
    legal_basis: str | None = None
    online: str | None = None
    note: str | None = None
    active: bool = True

    @property
    def name_folded(self) -> str:
        return fold(self.name)

    @property
    def fee_total_known(self) -> int:
        return sum(f["amount_vnd"] for f in self.fees if f.get("amount_vnd") is not None)


def spec_from_shipped(entry: dict[str, Any]) -> ProcedureSpec:
    """Convert one entry of resources/catalog/procedures.json (the team's dataset)."""
    proc = entry.get("processing") or {}
    if proc.get("same_day"):
        kind, value = "same_day", None
    elif proc.get("calendar_days"):
        kind, value = "calendar_days", int(proc["calendar_days"])
    else:
        kind, value = "working_days", proc.get("working_days")
    return ProcedureSpec(
        code=entry["code"].strip(),
        name=normalize(entry["name"]),
        field=normalize(entry["field"]),
        level=entry.get("level") or "Cấp xã",
        time_kind=kind,
        time_value=value,
        cutoff_next_day=bool(proc.get("after_15h_next_day")),
        returns_on_spot=bool(proc.get("same_day")),
        fees=[{"name": f.get("name", ""), "amount_vnd": f.get("amount_vnd"), "note": f.get("note")}
              for f in entry.get("fees") or []],
        documents=[{"name": d["name"], "form": d.get("form", "bản chính"), "count": int(d.get("count") or 1),
                    "required": bool(d.get("required", True)), "note": d.get("note")}
                   for d in entry.get("documents") or []],
        result=entry.get("result"),
        legal_basis=entry.get("legal_basis"),
        online=entry.get("online"),
        note=proc.get("note"),
    )


# -- checking a procedure -------------------------------------------------------------
# Fields (lĩnh vực) of commune-level procedures in the national database. An import may
# only use these or a field the office already has, so a typo cannot split the catalog.
KNOWN_FIELDS = (
    "Hộ tịch", "Chứng thực", "Nuôi con nuôi", "Hòa giải ở cơ sở", "Cư trú",
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)", "Hộ kinh doanh",
    "Bảo trợ xã hội", "Giảm nghèo", "Người có công", "Trẻ em", "Lao động",
    "Phòng, chống tệ nạn xã hội", "Đất đai", "Hoạt động xây dựng", "Xây dựng", "Môi trường",
    "Tài nguyên nước", "Nông nghiệp", "Lâm nghiệp", "Thủy lợi", "Thủy sản", "Trồng trọt", "Chăn nuôi",
    "Thú y", "Giáo dục và đào tạo", "Y tế", "Văn hóa", "Thể thao", "Du lịch", "Gia đình",
    "Thi đua, khen thưởng", "Tôn giáo", "Tín ngưỡng", "Dân tộc", "Tiếp công dân",
    "Giải quyết khiếu nại", "Giải quyết tố cáo", "Phổ biến, giáo dục pháp luật",
    "Bồi thường nhà nước", "Nghĩa vụ quân sự", "Quốc phòng", "An toàn thực phẩm",
    "Giao thông vận tải", "Đường bộ", "Công thương", "Kinh tế hợp tác", "Tài chính", "Nội vụ",
)
NAME_MAX = 500
FIELD_MAX = 200
REQUIRED_WORDS = ("bắt buộc", "tùy trường hợp")
PROVINCE_SET = "HĐND tỉnh"   # a fee whose amount the provincial council sets


def canonical_field(name: str, known: list[str] | tuple[str, ...]) -> str | None:
    """The known spelling of a field typed with or without diacritics; None if unknown."""
    folded = fold(name)
    return next((k for k in known if fold(k) == folded), None)


def spec_problems(spec: ProcedureSpec) -> list[tuple[str, str]]:
    """Every problem of a procedure as (field, translated message); empty when it is fine."""
    out: list[tuple[str, str]] = []
    if not CODE_RE.match(spec.code or ""):
        out.append(("code", _("mã thủ tục '{code}' sai dạng (một chữ số, dấu chấm, sáu chữ số; ví dụ 1.001193)")
                    .format(code=spec.code)))
    if not normalize(spec.name):
        out.append(("name", _("thiếu tên thủ tục")))
    elif len(spec.name) > NAME_MAX:
        out.append(("name", _("tên thủ tục dài quá {n} ký tự").format(n=NAME_MAX)))
    if not normalize(spec.field):
        out.append(("field", _("thiếu lĩnh vực")))
    elif len(spec.field) > FIELD_MAX:
        out.append(("field", _("lĩnh vực dài quá {n} ký tự").format(n=FIELD_MAX)))
    if spec.time_kind not in TIME_KINDS:
        out.append(("time_kind", _("loại thời hạn '{kind}' không hợp lệ (working_days, same_day hoặc "
                                   "calendar_days)").format(kind=spec.time_kind)))
    elif spec.time_kind == "same_day":
        if spec.time_value is not None:
            out.append(("time_value", _("thủ tục trong ngày không ghi số ngày giải quyết")))
    elif spec.time_value is not None and spec.time_value < 1:
        out.append(("time_value", _("thời hạn giải quyết phải là số ngày dương, không được {n}")
                    .format(n=spec.time_value)))
    elif spec.time_value is not None and spec.time_value > 365:
        out.append(("time_value", _("thời hạn giải quyết quá dài ({n} ngày)").format(n=spec.time_value)))
    for i, doc in enumerate(spec.documents, start=1):
        if not normalize(doc.get("name")):
            out.append(("documents", _("giấy tờ thứ {i} thiếu tên").format(i=i)))
        if doc.get("form") not in DOC_FORMS:
            out.append(("documents", _("giấy tờ thứ {i}: hình thức '{form}' không hợp lệ ({forms})")
                        .format(i=i, form=doc.get("form"), forms=", ".join(DOC_FORMS))))
        if not isinstance(doc.get("count"), int) or doc["count"] < 1:
            out.append(("documents", _("giấy tờ thứ {i}: số lượng phải là số nguyên dương").format(i=i)))
    for i, fee in enumerate(spec.fees, start=1):
        if not normalize(fee.get("name")):
            out.append(("fees", _("khoản phí thứ {i} thiếu tên").format(i=i)))
        amount = fee.get("amount_vnd")
        if amount is not None and (not isinstance(amount, int) or amount < 0):
            out.append(("fees", _("khoản phí thứ {i}: số tiền phải là số đồng không âm").format(i=i)))
    return out


# -- the documents and fees sub-format of a spreadsheet cell -----------------------------
# One item per line; parts separated by " | ":
#   documents:  name | bản chính/bản sao/xuất trình | count | bắt buộc/tùy trường hợp | note
#   fees:       name | amount in đồng (or "HĐND tỉnh") | note
SEP = " | "


def format_documents(documents: list[dict[str, Any]]) -> str:
    lines = []
    for d in documents:
        parts = [d.get("name") or "", d.get("form") or DOC_FORMS[0], str(d.get("count") or 1),
                 REQUIRED_WORDS[0] if d.get("required", True) else REQUIRED_WORDS[1]]
        if d.get("note"):
            parts.append(d["note"])
        lines.append(SEP.join(p.replace("|", "/").replace("\n", " ") for p in parts))
    return "\n".join(lines)


def format_fees(fees: list[dict[str, Any]]) -> str:
    lines = []
    for f in fees:
        amount = f.get("amount_vnd")
        parts = [f.get("name") or "", PROVINCE_SET if amount is None else str(amount)]
        if f.get("note"):
            parts.append(f["note"])
        lines.append(SEP.join(p.replace("|", "/").replace("\n", " ") for p in parts))
    return "\n".join(lines)


def _lines(text: str) -> list[list[str]]:
    return [[p.strip() for p in line.split("|")] for line in (text or "").splitlines() if line.strip()]


def parse_documents(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents of a cell, and the problems found (translated)."""
    docs: list[dict[str, Any]] = []
    problems: list[str] = []
    forms = {fold(f): f for f in DOC_FORMS}
    for i, parts in enumerate(_lines(text), start=1):
        if len(parts) > 5:
            problems.append(_("giấy tờ thứ {i} có quá 5 phần (tên | hình thức | số lượng | bắt buộc | ghi chú)")
                            .format(i=i))
            continue
        name, form, count, required, note = (parts + ["", "", "", "", ""])[:5]
        doc: dict[str, Any] = {"name": normalize(name), "form": forms.get(fold(form) or fold(DOC_FORMS[0])),
                               "count": 1, "required": True, "note": normalize(note) or None}
        if not doc["name"]:
            problems.append(_("giấy tờ thứ {i} thiếu tên").format(i=i))
        if doc["form"] is None:
            problems.append(_("giấy tờ thứ {i}: hình thức '{form}' không hợp lệ ({forms})")
                            .format(i=i, form=form, forms=", ".join(DOC_FORMS)))
        if count:
            if count.isdigit() and int(count) >= 1:
                doc["count"] = int(count)
            else:
                problems.append(_("giấy tờ thứ {i}: số lượng '{count}' không hợp lệ").format(i=i, count=count))
        req = fold(required)
        if req in ("", fold(REQUIRED_WORDS[0]), "co", "x", "1"):
            doc["required"] = True
        elif req in (fold(REQUIRED_WORDS[1]), "khong", "0"):
            doc["required"] = False
        else:
            problems.append(_("giấy tờ thứ {i}: '{value}' phải là 'bắt buộc' hoặc 'tùy trường hợp'")
                            .format(i=i, value=required))
        docs.append(doc)
    return docs, problems


def parse_fees(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The fees of a cell, and the problems found (translated)."""
    fees: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, parts in enumerate(_lines(text), start=1):
        if len(parts) > 3:
            problems.append(_("khoản phí thứ {i} có quá 3 phần (tên | số tiền | ghi chú)").format(i=i))
            continue
        name, amount_text, note = (parts + ["", "", ""])[:3]
        fee: dict[str, Any] = {"name": normalize(name), "amount_vnd": None, "note": normalize(note) or None}
        if not fee["name"]:
            problems.append(_("khoản phí thứ {i} thiếu tên").format(i=i))
        cleaned = amount_text.strip().removesuffix("đồng").removesuffix("đ").strip()
        if not cleaned or fold(cleaned) == fold(PROVINCE_SET):
            fee["amount_vnd"] = None
        elif re.fullmatch(r"\d+|\d{1,3}(?:[.,]\d{3})+", cleaned):
            fee["amount_vnd"] = int(re.sub(r"[.,]", "", cleaned))
        else:
            problems.append(_("khoản phí thứ {i}: số tiền '{amount}' không hợp lệ (số đồng, hoặc '{province}')")
                            .format(i=i, amount=amount_text, province=PROVINCE_SET))
        fees.append(fee)
    return fees, problems
