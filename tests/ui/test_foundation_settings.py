"""Settings tabs: office settings, accounts, the working-day calendar."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QTime

from commune_desk.domain.roles import Role
from commune_desk.services import accounts
from commune_desk.services import calendar as cal_service
from commune_desk.services.context import Ctx
from commune_desk.ui.settings_accounts import AccountsTab, UserDialog
from commune_desk.ui.settings_calendar import CalendarTab
from commune_desk.ui.settings_office import OfficeTab
from commune_desk.ui.tasks import wait_idle


@pytest.fixture(autouse=True)
def _drain():
    yield
    wait_idle()


def test_office_tab_saves_settings_and_identity(qtbot, admin_ctx):
    tab = OfficeTab(admin_ctx, None)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.editors["calendar.appointment_time"].value() == "17:00", timeout=5000)
    tab.editors["calendar.appointment_time"].widget.setTime(QTime(16, 30))
    tab.editors["calendar.cutoff_moves_multi_day"].widget.setChecked(True)
    tab.editors["print.paper"].widget.setCurrentText("A4")
    tab.editors["print.place_name"].widget.setText("Minh Tân")
    tab.hub_name.setText("UBND tỉnh Tuyên Quang")
    tab.reception_point.setValue(2)
    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.message.text() == "Đã lưu.", timeout=5000)
    db = admin_ctx.db
    assert db.setting("calendar.appointment_time") == "16:30"
    assert db.setting("calendar.cutoff_moves_multi_day") is True
    assert db.setting("print.paper") == "A4" and db.setting("print.place_name") == "Minh Tân"
    assert db.office.reception_point == 2 and db.office.hub_name == "UBND tỉnh Tuyên Quang"


def test_office_tab_refuses_a_bad_unit_id_and_saves_nothing(qtbot, admin_ctx):
    tab = OfficeTab(admin_ctx, None)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.unit_id.text() == "000.00.19.H56", timeout=5000)
    tab.editors["print.copies"].widget.setValue(3)
    tab.unit_id.setText("mã sai!")
    tab.save_button.click()
    qtbot.waitUntil(lambda: bool(tab.errors.text("unit_id")), timeout=5000)
    assert "chữ in, số và dấu chấm" in tab.errors.text("unit_id")
    assert admin_ctx.db.setting("print.copies") == 2
    assert admin_ctx.db.office.unit_id == "000.00.19.H56"


def test_accounts_tab_creates_deactivates_unlocks_and_resets(qtbot, admin_ctx, db):
    tab = AccountsTab(admin_ctx, None)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: len(tab.users) == 1, timeout=5000)
    dialog = UserDialog(admin_ctx, tab)
    qtbot.addWidget(dialog)
    dialog.username.setText("canbo1")
    dialog.full_name.setText("Phạm Thị Thu")
    dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
    dialog.password.setText("ngan")
    dialog.password2.setText("ngan")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.errors.text("password")), timeout=5000)
    assert "ít nhất 8 ký tự" in dialog.errors.text("password")
    dialog.password.setText("canbo-12345")
    dialog.password2.setText("canbo-12345")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.submit()
    tab.refresh()
    qtbot.waitUntil(lambda: len(tab.users) == 2, timeout=5000)
    clerk = next(u for u in tab.users if u.username == "canbo1")
    assert clerk.role == "clerk" and clerk.full_name == "Phạm Thị Thu"

    tab.change_role(clerk.id, Role.LEADER)
    qtbot.waitUntil(lambda: any(u.username == "canbo1" and u.role == "leader" for u in tab.users), timeout=5000)
    for _attempt in range(5):
        with pytest.raises(Exception):  # noqa: B017 - wrong passwords, then the lock
            accounts.authenticate(db, "canbo1", "sai")
    tab.refresh()
    qtbot.waitUntil(lambda: any(u.username == "canbo1" and u.locked for u in tab.users), timeout=5000)
    tab.select_user("canbo1")
    assert tab.unlock_button.isEnabled()
    tab.unlock_button.click()
    qtbot.waitUntil(lambda: any(u.username == "canbo1" and not u.locked for u in tab.users), timeout=5000)
    assert accounts.authenticate(db, "canbo1", "canbo-12345").username == "canbo1"
    tab.select_user("canbo1")
    tab.active_button.click()
    qtbot.waitUntil(lambda: any(u.username == "canbo1" and not u.active for u in tab.users), timeout=5000)
    with pytest.raises(Exception, match="Sai tên đăng nhập"):
        accounts.authenticate(db, "canbo1", "canbo-12345")


def test_the_last_administrator_cannot_be_deactivated(qtbot, admin_ctx):
    tab = AccountsTab(admin_ctx, None)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: len(tab.users) == 1, timeout=5000)
    tab.select_user("admin")
    tab.active_button.click()
    qtbot.waitUntil(lambda: "quản trị viên cuối cùng" in tab.message.text(), timeout=5000)


def test_calendar_tab_shows_the_year_and_edits_the_office_table(qtbot, admin_ctx):
    tab = CalendarTab(admin_ctx, None)
    qtbot.addWidget(tab)
    tab.year.setValue(2026)
    qtbot.waitUntil(lambda: tab.view is not None and tab.view.year == 2026, timeout=5000)
    days = {e.day: e for e in tab.view.entries}
    assert days[date(2026, 1, 10)].kind == "work" and days[date(2026, 2, 17)].kind == "off"
    texts = [tab.table.item(r, 2).text() for r in range(tab.table.rowCount())]
    assert "Làm việc bù" in texts and "Nghỉ" in texts
    assert "ngày làm việc" in tab.summary.text()

    tab.add_day(date(2026, 3, 10), "off", "Nghỉ bầu cử đại biểu")
    qtbot.waitUntil(lambda: tab.view and any(e.day == date(2026, 3, 10) for e in tab.view.entries), timeout=5000)
    assert not cal_service.load_calendar(admin_ctx.db).is_working_day(date(2026, 3, 10))
    tab.select_day(date(2026, 4, 30))
    assert not tab.delete_button.isEnabled()          # a legal holiday is not the office's to delete
    tab.select_day(date(2026, 3, 10))
    assert tab.delete_button.isEnabled()
    tab.delete_button.click()
    qtbot.waitUntil(lambda: tab.view and all(e.day != date(2026, 3, 10) for e in tab.view.entries), timeout=5000)
    assert cal_service.load_calendar(admin_ctx.db).is_working_day(date(2026, 3, 10))


def test_calendar_tab_import_names_bad_rows(qtbot, admin_ctx, tmp_path):
    tab = CalendarTab(admin_ctx, None)
    qtbot.addWidget(tab)
    bad = tmp_path / "lich.csv"
    bad.write_text("date,kind,note\n2026-12-31,nghi,x\n", encoding="utf-8")
    tab.import_path(bad)
    qtbot.waitUntil(lambda: "Dòng 2" in tab.message.text(), timeout=5000)
    good = tmp_path / "lich2.csv"
    good.write_text("date,kind,note\n2026-12-31,off,Nghỉ cuối năm\n", encoding="utf-8")
    tab.import_path(good)
    qtbot.waitUntil(lambda: "1 ngày mới" in tab.message.text(), timeout=5000)


def test_a_clerk_cannot_save_office_settings(admin_ctx, clerk_ctx):
    from commune_desk.errors import PermissionDenied
    from commune_desk.services import office

    with pytest.raises(PermissionDenied):
        office.save_settings(clerk_ctx, {"print.copies": 3})
    assert isinstance(Ctx, type) and admin_ctx.db.setting("print.copies") == 2
