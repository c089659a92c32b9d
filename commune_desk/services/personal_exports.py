"""Exports that write people's personal data in a clear file (Law 91/2025, FACTS.md 8.1).

A spreadsheet cannot be encrypted the way a backup or a bundle is, so the person exporting
is told what the file holds and must say yes (the window: a dialog whose default answer is
"Hủy"; the command line: the flag :data:`PLAIN_FLAG`). Every such export is an audit entry
(written by the service that writes the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commune_desk.errors import KnownError
from commune_desk.i18n import N_, _

PLAIN_FLAG = "--plain-personal-data"

# What each export holds, shown in the warning (translated at display time).
STAFF = N_("họ tên, số định danh, ngày sinh, số điện thoại của cán bộ, công chức")
BOOK = N_("họ tên, địa chỉ, số điện thoại của công dân trong sổ theo dõi hồ sơ")
REPORT_PEOPLE = N_("họ tên, vị trí việc làm và số tiết bồi dưỡng của từng cán bộ")
FORM_PDF = N_("họ tên, số định danh, địa chỉ in trên giấy tờ")
BACKUP = N_("toàn bộ cơ sở dữ liệu, kể cả số định danh, ngày sinh, địa chỉ của công dân")


def warning(what: str, path: Path | str) -> str:
    """The warning shown before the file is written (``what``: one of the labels above)."""
    return _("Tệp này chứa dữ liệu cá nhân ({what}) và sẽ được ghi không mã hoá vào {path}. Ai có tệp đều đọc "
             "được. Chỉ lưu vào nơi an toàn (không để ở máy dùng chung, không gửi qua thư điện tử hay mạng xã "
             "hội) và xoá khi không còn cần. Để lộ dữ liệu cá nhân có thể bị phạt theo Luật Bảo vệ dữ liệu "
             "cá nhân.").format(what=_(what), path=path)


def require_plain_flag(allowed: bool, what: str, path: Path | str) -> None:
    """The command line: without :data:`PLAIN_FLAG`, say why and write nothing (exit code 1)."""
    if not allowed:
        raise KnownError(warning(what, path) + " " + _("Chưa ghi gì. Nếu vẫn muốn ghi, thêm {flag}.")
                         .format(flag=PLAIN_FLAG))


def report_lists_people(report: Any, path: Path | str) -> bool:
    """A report's XLSX lists every official with their training periods; its PDF does not."""
    training = getattr(report, "training", None)
    return (Path(path).suffix.lower() == ".xlsx" and training is not None
            and bool(getattr(training, "available", False)) and bool(getattr(training, "people", None)))
