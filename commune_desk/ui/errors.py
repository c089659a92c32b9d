"""Errors shown to people: a plain message for known problems, a saved report for bugs."""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from commune_desk import __version__
from commune_desk.errors import KnownError
from commune_desk.i18n import _

_report_dir: Path | None = None


def set_report_dir(folder: Path) -> None:
    global _report_dir
    _report_dir = folder


def save_report(exc: BaseException, details: str) -> Path | None:
    folder = _report_dir
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}.txt"
        path.write_text(f"commune_desk {__version__}\n{type(exc).__name__}: {exc}\n\n{details}", encoding="utf-8")
        return path
    except OSError:
        return None


def report_exception(parent: QWidget | None, exc: BaseException, details: str = "") -> None:
    if isinstance(exc, KnownError):
        QMessageBox.warning(parent, "commune_desk", str(exc))
        return
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        QMessageBox.critical(parent, "commune_desk",
                             _("Ổ đĩa đã đầy: không ghi được dữ liệu. Hãy giải phóng dung lượng rồi thử lại. "
                               "Dữ liệu đã lưu trước đó không bị ảnh hưởng."))
        return
    details = details or "".join(traceback.format_exception(exc))
    path = save_report(exc, details)
    box = QMessageBox(QMessageBox.Icon.Critical, "commune_desk",
                      _("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu không bị mất.")
                      + ("\n" + _("Báo cáo lỗi đã được lưu tại: {path}").format(path=path) if path else ""),
                      QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(details)
    box.exec()


def install_excepthook() -> None:
    """An exception in a slot is shown (and saved), never a silent close."""

    def hook(exc_type, exc, tb):
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.__stderr__.write(details)
        try:
            report_exception(None, exc, details)
        except Exception:  # noqa: BLE001 - last resort
            pass

    sys.excepthook = hook
