"""The login window. The password check (Argon2, lockout bookkeeping) runs off the UI thread;
on success ``actor`` holds who signed in and the dialog is accepted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import accounts
from commune_desk.services.context import Actor, Database
from commune_desk.ui.tasks import run_task, show_error


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self._busy = False
        self.setWindowTitle(_("Đăng nhập — commune_desk"))
        self.setMinimumWidth(460)

        office = db.office
        title = QLabel(office.office_name if office else "commune_desk")
        title.setObjectName("office_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        subtitle = QLabel(_("Mã đơn vị {code}").format(code=office.office_code) if office else "")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setStyleSheet("color: #555;")

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(_("Tên đăng nhập:"), self.username)
        form.addRow(_("Mật khẩu:"), self.password)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("Đăng nhập"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(_("Thoát"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.username.setFocus()

    def submit(self) -> None:
        if self._busy:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self._show(_("Hãy nhập tên đăng nhập."))
            self.username.setFocus()
            return
        self._set_busy(True)
        self.message.hide()
        run_task(lambda _ctl: accounts.authenticate(self.db, username, password),
                 on_success=self._signed_in, on_failure=self._failed, parent=self)

    def _signed_in(self, actor: Actor) -> None:
        self._set_busy(False)
        self.actor = actor
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, KnownError):
            self._show(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        show_error(self, exc)

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.ok_button.setText(_("Đang kiểm tra…") if busy else _("Đăng nhập"))
