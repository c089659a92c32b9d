"""About: the version, the database schema version and where the data lives."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commune_desk import __version__
from commune_desk.i18n import _
from commune_desk.services.context import Database
from commune_desk.store import migrate


def schema_versions(db: Database) -> tuple[str | None, str]:
    """(the database's revision, the newest revision this release knows)."""
    return migrate.current_revision(db.engine), migrate.head_revision()


class AboutDialog(QDialog):
    def __init__(self, db: Database, versions: tuple[str | None, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Giới thiệu commune_desk"))
        self.setMinimumWidth(520)
        current, head = versions
        form = QFormLayout()
        title = QLabel(f"<h2>commune_desk {__version__}</h2>"
                       + _("Phần mềm một cửa cho Trung tâm Phục vụ hành chính công cấp xã."))
        title.setWordWrap(True)
        self.version_label = QLabel(__version__)
        self.schema_label = QLabel(f"{current or '—'} ({_('mới nhất')}: {head})")
        office = db.office  # cached at login
        form.addRow(_("Phiên bản:"), self.version_label)
        form.addRow(_("Phiên bản cơ sở dữ liệu:"), self.schema_label)
        if office:
            form.addRow(_("Đơn vị:"), QLabel(f"{office.office_name} ({office.office_code})"))
        self.folder_label = QLabel(str(db.data_dir))
        self.folder_label.setWordWrap(True)
        form.addRow(_("Thư mục dữ liệu:"), self.folder_label)
        open_button = QPushButton(_("Mở thư mục dữ liệu"))
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(db.data_dir))))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(open_button)
        layout.addWidget(buttons)
