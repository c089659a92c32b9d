"""The Vietnamese wording and number style shared by the XLSX and PDF files (official
documents: always Vietnamese, whatever the interface language)."""

from __future__ import annotations

from commune_desk.domain.calendar import to_local
from commune_desk.reports.model import Freshness, Report

TITLE = "BÁO CÁO"
SUBTITLE = "Tình hình, kết quả giải quyết thủ tục hành chính"
TABLE_TITLE = "BIỂU TỔNG HỢP TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
SIGN_LEFT = ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
SIGN_RIGHT = ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")
DASH = "-"


def number(value: int | float | None) -> str:
    """1234 -> '1.234' (Vietnamese thousands separator)."""
    if value is None:
        return DASH
    return f"{int(value):,}".replace(",", ".")


def percent(value: float | None, digits: int = 2) -> str:
    """53.846 -> '53,85' (Vietnamese decimal comma); None -> '-'."""
    if value is None:
        return DASH
    return f"{value:.{digits}f}".replace(".", ",")


def rounded(value: float | None, digits: int = 2) -> float | None:
    """The value written into cells: the same rounding the window and the PDF show."""
    return None if value is None else round(value, digits)


def freshness_text(f: Freshness) -> str:
    if f.last_at is None:
        return "chưa có số liệu"
    day = to_local(f.last_at).strftime("%d/%m/%Y")
    return day if f.source == "bundle" else f"{day} (theo hồ sơ)"


def unit_line(report: Report) -> str:
    return f"Đơn vị báo cáo: {report.scope_name}"
