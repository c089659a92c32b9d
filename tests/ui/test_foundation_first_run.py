"""First run through the window: setup → login → main window, in Vietnamese."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from commune_desk.services.context import Ctx, Database
from commune_desk.store.models import Office, Procedure, User
from commune_desk.ui.login_dialog import LoginDialog
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.setup_dialog import SetupDialog
from commune_desk.ui.tasks import wait_idle

PASSWORD = "mật-khẩu-2026"


@pytest.fixture
def fresh_db(data_dir):
    db = Database.open(data_dir)
    yield db
    wait_idle()
    db.close()


def type_text(edit, text: str) -> None:
    """What typing does (keyClicks aborts on Vietnamese): set the text and tell the listeners."""
    edit.setText(text)
    edit.textEdited.emit(text)


def test_setup_then_login_then_main_window(qtbot, fresh_db):
    dialog = SetupDialog(fresh_db)
    qtbot.addWidget(dialog)
    dialog.show()
    # the commune is found without diacritics, then picked from the list
    type_text(dialog.commune_search, "minh tan tuyen quang")
    codes = [dialog._filter.index(r, 0).data(Qt.ItemDataRole.UserRole + 2) for r in range(dialog._filter.rowCount())]
    assert "00919" in codes
    popup = dialog.completer.popup()
    popup.setCurrentIndex(dialog.completer.completionModel().index(codes.index("00919"), 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.office_code.text() == "00919"
    assert dialog.office_name.text() == "Xã Minh Tân"
    assert dialog.hub_name.text() == "UBND tỉnh Tuyên Quang"
    assert "Tuyên Quang" in dialog.place_label.text()
    dialog.unit_id.setText("000.00.19.H56")
    dialog.admin_username.setText("quantri")
    dialog.admin_full_name.setText("Nguyễn Thị Hồng Nhung")
    dialog.password.setText(PASSWORD)
    dialog.password2.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        dialog.ok_button.click()
    assert dialog.office.office_code == "00919" and dialog.office.unit_id == "000.00.19.H56"
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Procedure)) >= 30
        admin = s.scalar(select(User))
        assert (admin.username, admin.full_name, admin.role) == ("quantri", "Nguyễn Thị Hồng Nhung", "admin")

    login = LoginDialog(fresh_db)
    qtbot.addWidget(login)
    login.show()
    login.username.setText("quantri")
    login.password.setText("sai-mat-khau")
    login.ok_button.click()
    qtbot.waitUntil(lambda: login.message.isVisible(), timeout=10000)
    assert login.message.text() == "Sai tên đăng nhập hoặc mật khẩu."
    assert login.actor is None and login.password.text() == ""
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(login.accepted, timeout=10000):
        login.ok_button.click()
    assert login.actor.username == "quantri"

    window = MainWindow(Ctx(fresh_db, login.actor))
    qtbot.addWidget(window)
    window.show()
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert {"Tiếp nhận", "Danh mục thủ tục", "Cài đặt"} <= set(labels)
    assert "Xã Minh Tân" in window.windowTitle()


def test_setup_shows_problems_next_to_the_fields_and_writes_nothing(qtbot, fresh_db):
    dialog = SetupDialog(fresh_db)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.office_code, "0919")
    dialog.office_name.setText("Xã Minh Tân")
    dialog.admin_full_name.setText("Trần Văn Bình")
    dialog.password.setText("ngan")
    dialog.password2.setText("khac")
    dialog.ok_button.click()
    assert "5 chữ số" in dialog.errors.text("office_code")
    assert "ít nhất 8 ký tự" in dialog.errors.text("password")
    assert "không giống nhau" in dialog.errors.text("password2")
    assert dialog.errors.text("office_name") == ""
    assert dialog.result() == 0 and dialog.isVisible()
    wait_idle()
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 0
    assert fresh_db.office is None


def test_typing_a_commune_code_fills_the_name(qtbot, fresh_db):
    dialog = SetupDialog(fresh_db)
    qtbot.addWidget(dialog)
    type_text(dialog.office_code, "00919")
    assert dialog.office_name.text() == "Xã Minh Tân"
    assert dialog.place_label.text() == "Xã Minh Tân, Tuyên Quang"
    type_text(dialog.office_code, "99999")
    assert "không có trong danh mục" in dialog.place_label.text()


def test_a_hub_is_set_up_from_its_province(qtbot, fresh_db):
    dialog = SetupDialog(fresh_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.role_hub.setChecked(True)
    assert not dialog.commune_search.isVisible() and dialog.province.isVisible()
    dialog.province.setCurrentIndex(dialog.province.findData("08"))
    assert dialog.office_code.text() == "08"
    assert dialog.office_name.text() == "UBND tỉnh Tuyên Quang"
    dialog.admin_full_name.setText("Lê Văn Cường")
    dialog.password.setText(PASSWORD)
    dialog.password2.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        dialog.ok_button.click()
    assert dialog.office.is_hub and dialog.office.province_name == "Tuyên Quang"


def test_five_wrong_passwords_lock_the_account(qtbot, db):
    login = LoginDialog(db)
    qtbot.addWidget(login)
    login.username.setText("admin")
    for _attempt in range(5):
        login.password.setText("khong-dung")
        login.ok_button.click()
        qtbot.waitUntil(lambda: login.ok_button.isEnabled(), timeout=10000)
    assert "bị khóa 15 phút" in login.message.text()
    login.password.setText("matkhau-123")   # even the right password waits out the lock
    login.ok_button.click()
    qtbot.waitUntil(lambda: login.ok_button.isEnabled(), timeout=10000)
    assert "đang bị khóa" in login.message.text() and login.actor is None
    wait_idle()
