"""The idle session lock: after ``accounts.idle_lock_minutes`` without a key press or a
click, every open window of the app is covered (nothing of a citizen's data stays on
screen at a shared desk) and a re-login prompt asks the same user's password.

The password check runs through ``accounts.authenticate`` off the UI thread, so it is
audited and counts towards the lockout like any login. "Thoát" closes the app.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import accounts
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task, show_error

INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.Shortcut})
CHECK_EVERY_MS = 5000


class Cover(QWidget):
    """An opaque child that hides a window's content while the session is locked."""

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("idle_cover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#idle_cover { background: #37474f; } QLabel { color: white; }")
        label = QLabel(_("Phiên làm việc đã khóa"))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.setGeometry(host.rect())
        host.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and isinstance(obj, QWidget):
            self.setGeometry(obj.rect())
        return False


class UnlockDialog(QDialog):
    """The re-login prompt, above everything (application-modal)."""

    def __init__(self, ctx: Ctx, minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint | Qt.WindowType.WindowTitleHint)
        self.ctx = ctx
        self.setObjectName("unlock_dialog")
        self.setWindowTitle(_("Phiên làm việc đã khóa"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(460)
        info = QLabel(_("Không có thao tác trong {n} phút nên phiên làm việc đã khóa để bảo vệ dữ liệu của công dân. "
                        "Nhập mật khẩu của {name} ({user}) để làm việc tiếp.").format(
            n=minutes, name=ctx.actor.full_name, user=ctx.actor.username))
        info.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.unlock_button = QPushButton(_("Mở khóa"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.quit_button = QPushButton(_("Thoát phần mềm"))
        self.quit_button.clicked.connect(self.quit_app)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._busy = False

    def reject(self) -> None:  # Esc does not unlock
        pass

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.unlock_button.setEnabled(False)
        password, username = self.password.text(), self.ctx.actor.username
        run_task(lambda _ctl: accounts.authenticate(self.ctx.db, username, password), on_success=self._ok,
                 on_failure=self._failed, parent=self)

    def _ok(self, _actor) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)
        self.password.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)
        self.password.clear()
        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
        else:
            show_error(self, exc)

    def quit_app(self) -> None:
        self.done(2)
        QApplication.instance().quit()


class IdleLock(QObject):
    """Signals:
        locked(): the session was just locked.
        unlocked(): the user typed their password again.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QWidget, ctx: Ctx, minutes: int) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.minutes = minutes
        self.last_input = time.monotonic()
        self.covers: list[Cover] = []
        self.dialog: UnlockDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        app.installEventFilter(self)
        if minutes > 0:
            self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802, ARG002 (Qt's name)
        if event.type() in INPUT_EVENTS and not self.is_locked:
            self.last_input = time.monotonic()
        return False

    def check(self, now: float | None = None) -> None:
        if self.minutes <= 0 or self.is_locked:
            return
        if (now if now is not None else time.monotonic()) - self.last_input >= self.minutes * 60:
            self.lock()

    def lock(self) -> None:
        if self.is_locked:
            return
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and not isinstance(widget, UnlockDialog):
                cover = Cover(widget)
                cover.show()
                cover.raise_()
                self.covers.append(cover)
        self.dialog = UnlockDialog(self.ctx, self.minutes, self.window)
        self.dialog.finished.connect(self._finished)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.password.setFocus()
        self.locked.emit()

    def _finished(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            return  # quitting: leave everything covered until the app is gone
        for cover in self.covers:
            cover.deleteLater()
        self.covers.clear()
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self.last_input = time.monotonic()
        self.unlocked.emit()


def install_idle_lock(window: QWidget, ctx: Ctx) -> IdleLock:
    """Start watching for input; the setting is read off the UI thread."""
    lock = IdleLock(window, ctx, 0)

    def start(minutes: int) -> None:
        lock.minutes = int(minutes or 0)
        if lock.minutes > 0:
            lock.timer.start()

    run_task(lambda _ctl: ctx.db.setting("accounts.idle_lock_minutes"), on_success=start, parent=window)
    window.idle_lock = lock  # type: ignore[attr-defined]
    return lock
