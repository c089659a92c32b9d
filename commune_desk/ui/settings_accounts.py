"""Settings › Tài khoản: the administrator creates accounts, changes roles, deactivates,
unlocks and resets passwords. Every action goes through services.accounts (which checks the
role again) off the UI thread."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import to_local
from commune_desk.domain.roles import Role
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import accounts
from commune_desk.services.accounts import UserRow
from commune_desk.services.context import Ctx, role_label
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.tasks import run_task, show_error


def roles_for(ctx: Ctx) -> list[Role]:
    """The roles an account of this office can have."""
    office = ctx.db.require_office()
    if office.is_hub:
        return [Role.HUB, Role.TRAINER, Role.ADMIN]
    return [Role.CLERK, Role.LEADER, Role.TRAINER, Role.ADMIN]


class UserDialog(QDialog):
    """A new account (``user`` None), or a new password for an existing one."""

    def __init__(self, ctx: Ctx, parent: QWidget | None = None, *, user: UserRow | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.errors = FieldErrors()
        self.setMinimumWidth(480)
        form = QFormLayout()
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in roles_for(ctx):
            self.role.addItem(role_label(role), role.value)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        if user is None:
            self.setWindowTitle(_("Thêm tài khoản"))
            self.errors.add_row(form, _("Tên đăng nhập:"), self.username, "username")
            self.errors.add_row(form, _("Họ và tên:"), self.full_name, "full_name")
            self.errors.add_row(form, _("Vai trò:"), self.role, "role")
        else:
            self.setWindowTitle(_("Đặt lại mật khẩu"))
            form.addRow(_("Tài khoản:"), QLabel(f"{user.username} — {user.full_name}"))
        self.errors.add_row(form, _("Mật khẩu:"), self.password, "password")
        self.errors.add_row(form, _("Nhập lại mật khẩu:"), self.password2, "password2")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def submit(self) -> None:
        if self.password.text() != self.password2.text():
            self.errors.show([("password2", _("Hai lần nhập mật khẩu không giống nhau."))])
            return
        self.errors.clear()
        self.ok_button.setEnabled(False)
        password = self.password.text()
        if self.user is None:
            username, full_name, role = self.username.text(), self.full_name.text(), self.role.currentData()

            def work(_ctl):
                return accounts.create_user(self.ctx, username=username, full_name=full_name, role=role,
                                            password=password)
        else:
            user_id = self.user.id

            def work(_ctl):
                return accounts.set_password(self.ctx, user_id, password)

        run_task(work, on_success=lambda _r: self.accept(), on_failure=self._failed, parent=self)

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            problems = exc.errors or [(exc.field or "", str(exc))]
            self.errors.show([(f if f in self.errors.labels else "password", m) for f, m in problems])
            return
        show_error(self, exc)


class AccountsTab(QWidget):
    COLUMNS = (N_("Tên đăng nhập"), N_("Họ và tên"), N_("Vai trò"), N_("Trạng thái"), N_("Đăng nhập gần nhất"))

    def __init__(self, ctx: Ctx, window) -> None:  # noqa: ARG002
        super().__init__()
        self.ctx = ctx
        self.users: list[UserRow] = []
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.add_button = QPushButton(_("Thêm tài khoản…"))
        self.role_button = QPushButton(_("Đổi vai trò…"))
        self.active_button = QPushButton(_("Ngừng sử dụng"))
        self.unlock_button = QPushButton(_("Mở khóa"))
        self.password_button = QPushButton(_("Đặt lại mật khẩu…"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self._ask_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.unlock_button.clicked.connect(self.unlock)
        self.password_button.clicked.connect(self.reset_password)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.role_button, self.active_button, self.unlock_button, self.password_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._selection_changed()
        self.refresh()

    # -- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        run_task(lambda _ctl: accounts.list_users(self.ctx), on_success=self._fill, parent=self)

    def _fill(self, users: list[UserRow]) -> None:
        selected = self.selected()
        self.users = users
        self.table.setRowCount(len(users))
        for row, u in enumerate(users):
            state = _("Đang khóa (nhập sai mật khẩu)") if u.locked else (
                _("Đang dùng") if u.active else _("Ngừng sử dụng"))
            last = to_local(u.last_login_at).strftime("%d/%m/%Y %H:%M") if u.last_login_at else "—"
            for col, text in enumerate((u.username, u.full_name, role_label(u.role), state, last)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(u.id))
                self.table.setItem(row, col, item)
            if selected is not None and u.id == selected.id:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def select_user(self, username: str) -> None:
        for row, u in enumerate(self.users):
            if u.username == username:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        user = self.selected()
        for b in (self.role_button, self.active_button, self.unlock_button, self.password_button):
            b.setEnabled(user is not None)
        if user is not None:
            self.active_button.setText(_("Ngừng sử dụng") if user.active else _("Cho dùng lại"))
            self.unlock_button.setEnabled(user.locked)

    # -- actions ----------------------------------------------------------------------------
    def _run(self, work, done_text: str) -> None:
        def ok(_result) -> None:
            self.message.setText(done_text)
            self.refresh()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.message.setText(str(exc))
            else:
                show_error(self, exc)

        run_task(work, on_success=ok, on_failure=failed, parent=self)

    def add_user(self) -> None:
        dialog = UserDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.message.setText(_("Đã thêm tài khoản {name}.").format(name=dialog.username.text().strip()))
            self.refresh()

    def _ask_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        roles = roles_for(self.ctx)
        labels = [role_label(r) for r in roles]
        current = labels.index(role_label(user.role)) if Role(user.role) in roles else 0
        label, ok = QInputDialog.getItem(self, _("Đổi vai trò"), _("Vai trò mới của {name}:").format(
            name=user.full_name), labels, current, False)
        if ok:
            self.change_role(user.id, roles[labels.index(label)])

    def change_role(self, user_id: uuid.UUID, role: Role) -> None:
        self._run(lambda _ctl: accounts.update_user(self.ctx, user_id, role=role),
                  _("Đã đổi vai trò thành {role}.").format(role=role_label(role)))

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        text = _("Đã ngừng tài khoản {name}.") if user.active else _("Đã cho dùng lại tài khoản {name}.")
        self._run(lambda _ctl: accounts.update_user(self.ctx, user.id, active=not user.active),
                  text.format(name=user.username))

    def unlock(self) -> None:
        user = self.selected()
        if user is not None:
            self._run(lambda _ctl: accounts.unlock_user(self.ctx, user.id),
                      _("Đã mở khóa tài khoản {name}.").format(name=user.username))

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = UserDialog(self.ctx, self, user=user)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.message.setText(_("Đã đặt lại mật khẩu cho {name}.").format(name=user.username))


def create_tab(ctx: Ctx, window) -> QWidget:
    return AccountsTab(ctx, window)
