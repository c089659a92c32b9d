"""The one question every page asks before it writes people's personal data to a clear file
(a staff list, a report listing officials…). "Hủy" is the default: Enter or Esc writes nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from commune_desk.i18n import _
from commune_desk.services import personal_exports


def confirm_plain_export(parent: QWidget | None, what: str, path: Path | str) -> bool:
    """True only when the person chose "Vẫn ghi tệp" (``what``: a label of services.personal_exports)."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Tệp có dữ liệu cá nhân"),
                      personal_exports.warning(what, path), QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("personal_data_warning")
    write = box.addButton(_("Vẫn ghi tệp"), QMessageBox.ButtonRole.AcceptRole)
    write.setObjectName("personal_data_write")
    cancel = box.addButton(_("Hủy"), QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName("personal_data_cancel")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is write
