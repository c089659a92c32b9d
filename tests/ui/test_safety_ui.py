"""The safety screens: Settings › Sao lưu / Nhật ký / Dữ liệu cá nhân, the idle lock, the
daily backup while the window is open, and the start-up offer of the newest good backup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD
from PySide6.QtWidgets import QLabel, QMainWindow
from sqlalchemy import select

from commune_desk.domain.roles import Role
from commune_desk.paths import DB_FILENAME
from commune_desk.services import backups, intake
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store import backup as store
from commune_desk.store.base import utcnow
from commune_desk.store.models import AuditEntry, Dossier, User
from commune_desk.ui import idle_lock, settings_audit, settings_backup, settings_privacy, startup_check
from commune_desk.ui.daily_backup import install_daily_backup
from commune_desk.ui.tasks import wait_idle

SHOTS = Path("/tmp")


def settle(qtbot) -> None:
    wait_idle()
    qtbot.wait(50)


class Window(QMainWindow):
    from PySide6.QtCore import Signal

    data_changed = Signal(str)


@pytest.fixture
def admin(db) -> Ctx:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "admin"))
    return Ctx(db, Actor(user.id, "admin", user.full_name, Role.ADMIN))


def entries(db) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def receive(ctx: Ctx, name: str, id_number: str):
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    form = intake.IntakeForm(procedure_code=proc.code, name=name, id_number=id_number, dob=dt.date(1992, 5, 1),
                             phone="0912345678", address="Thôn 2, xã Minh Tân",
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    return intake.receive_dossier(ctx, form)


def test_backup_tab_backs_up_restores_and_sets_the_second_place(qtbot, admin, tmp_path, monkeypatch):
    window = Window()
    tab = settings_backup.create_tab(admin, window)
    qtbot.addWidget(tab)
    tab.resize(1176, 700)
    tab.show()
    qtbot.waitUntil(lambda: tab.state is not None, timeout=10000)
    assert tab.table.rowCount() == 0 and "Chưa đặt nơi sao lưu thứ hai" in tab.second_status.text()

    tab.backup_now()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=20000)
    assert "Đã sao lưu và kiểm tra" in tab.message.text()
    assert tab.table.item(0, 1).text() == "Sao lưu ngay"

    # the second place: encryption needs a passphrase; writing in clear needs the warning accepted
    usb = tmp_path / "usb"
    usb.mkdir()
    tab.second_edit.setText(str(usb))
    tab.save_second_place()
    assert "mật khẩu mã hóa" in tab.message.text()
    monkeypatch.setattr(tab, "confirm_clear", lambda: False)
    tab.clear_box.click()
    assert not tab.clear_box.isChecked()
    tab.pending_passphrase = "mat-khau-sao-luu-2026"
    tab.save_second_place()
    qtbot.waitUntil(lambda: "Bản sao được mã hóa" in tab.second_status.text(), timeout=10000)
    first = tab.rows[0].name
    tab.backup_now()
    # a second backup the same day replaces the first (rotation keeps the newest of each day)
    qtbot.waitUntil(lambda: "nơi thứ hai" in tab.message.text(), timeout=20000)
    qtbot.waitUntil(lambda: bool(tab.rows) and tab.rows[0].name != first, timeout=10000)
    assert tab.table.rowCount() == 1
    assert len(list(usb.glob("*.cdbk"))) == 1
    tab.grab().save(str(SHOTS / "safety_backup_tab.png"))

    # restore the first backup after a confirmation; the window then closes
    with admin.db.write() as s:
        s.get(User, admin.actor.id).full_name = "Tên Đã Đổi"
    restored = []
    tab.after_restore = lambda: restored.append(True)
    monkeypatch.setattr(settings_backup.QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(tab, "confirm_restore", lambda label: False)
    tab.table.selectRow(0)
    tab.restore_selected()
    settle(qtbot)
    assert not restored
    monkeypatch.setattr(tab, "confirm_restore", lambda label: True)
    tab.restore_selected()
    qtbot.waitUntil(lambda: bool(restored), timeout=20000)
    with admin.db.read() as s:
        assert s.get(User, admin.actor.id).full_name != "Tên Đã Đổi"
    assert any(i.kind == "restore" for i in store.list_backups(backups.backup_dir(admin.db)))


def test_audit_tab_filters_and_verifies(qtbot, db, admin):
    from commune_desk.services import accounts

    accounts.authenticate(db, "admin", ADMIN_PASSWORD)
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017
            accounts.authenticate(db, "admin", "sai-mat-khau")
    backups.backup_now(admin)
    tab = settings_audit.create_tab(Ctx(db, Actor(None, "lanhdao", "Lãnh Đạo", Role.LEADER)), Window())
    qtbot.addWidget(tab)
    tab.resize(1176, 700)
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == len(entries(db)), timeout=10000)
    assert tab.table.item(0, 2).text() == "Sao lưu"
    tab.action.setCurrentIndex(tab.action.findData("login."))
    tab.search()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3, timeout=10000)
    assert {tab.table.item(r, 2).text() for r in range(3)} == {"Đăng nhập", "Đăng nhập sai"}
    qtbot.waitUntil(lambda: tab.actor.findData("admin") >= 0, timeout=5000)
    tab.verify()
    qtbot.waitUntil(lambda: "không có dấu hiệu" in tab.verify_label.text(), timeout=10000)
    tab.grab().save(str(SHOTS / "safety_audit_tab.png"))
    conn = sqlite3.connect(db.engine.url.database)
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.execute("UPDATE audit_entry SET actor = 'ai-do' WHERE action = 'login.ok'")
    conn.commit()
    tab.verify()
    qtbot.waitUntil(lambda: "can thiệp" in tab.verify_label.text(), timeout=10000)
    assert "đã bị sửa" in tab.verify_label.text()


def test_privacy_tab_anonymises_after_confirmation_and_prints_a_request(qtbot, db, monkeypatch):
    clerk = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    old = receive(clerk, "Nguyễn Văn An", "001092001234")
    with db.write() as s:
        d = s.get(Dossier, old.id)
        d.status, d.finished_at, d.returned_at = "returned", utcnow() - dt.timedelta(days=1200), utcnow() - dt.timedelta(days=1200)
    leader = Ctx(db, Actor(None, "lanhdao", "Lãnh Đạo", Role.LEADER))
    tab = settings_privacy.create_tab(leader, Window())
    qtbot.addWidget(tab)
    tab.resize(1176, 700)
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=10000)
    assert tab.anonymise_button.text() == "Ẩn danh 1 hồ sơ…" and "36 tháng" in tab.intro.text()
    tab.grab().save(str(SHOTS / "safety_privacy_tab.png"))
    monkeypatch.setattr(tab, "confirm", lambda n: False)
    tab.ask_anonymise()
    settle(qtbot)
    monkeypatch.setattr(tab, "confirm", lambda n: True)
    tab.ask_anonymise()
    qtbot.waitUntil(lambda: "Đã ẩn danh 1 hồ sơ" in tab.message.text(), timeout=10000)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 0, timeout=10000)
    with db.read() as s:
        assert s.get(Dossier, old.id).applicant_id_number is None

    shown = []
    monkeypatch.setattr("commune_desk.ui.pdf_preview.show_pdf", lambda path, *a, **k: shown.append(path))
    receive(clerk, "Trần Thị Bình", "001192001235")
    tab.id_edit.setText("001192001235")
    tab.print_request()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert Path(shown[0]).stat().st_size > 1000
    tab.id_edit.setText("12ab")
    tab.print_request()
    qtbot.waitUntil(lambda: "12 chữ số" in tab.message.text(), timeout=10000)


def test_an_idle_session_is_covered_until_the_password_is_typed_again(qtbot, db, admin):
    window = Window()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    lock = idle_lock.IdleLock(window, admin, 10)
    lock.check(now=lock.last_input + 9 * 60)
    assert not lock.is_locked
    lock.check(now=lock.last_input + 10 * 60 + 1)
    assert lock.is_locked and lock.covers and all(c.isVisible() for c in lock.covers)
    assert lock.covers[0].geometry() == window.rect()
    dialog = lock.dialog
    dialog.grab().save(str(SHOTS / "safety_unlock_dialog.png"))
    window.grab().save(str(SHOTS / "safety_locked_window.png"))
    dialog.reject()  # Esc does nothing
    assert lock.is_locked
    dialog.password.setText("sai-mat-khau")
    dialog.submit()
    qtbot.waitUntil(lambda: "Sai" in dialog.message.text(), timeout=10000)
    assert lock.is_locked
    dialog.password.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=10000):
        dialog.submit()
    assert not lock.is_locked
    qtbot.waitUntil(lambda: not any(c.isVisible() for c in window.findChildren(idle_lock.Cover)), timeout=5000)
    actions = [(e.actor, e.action) for e in entries(db)][-2:]
    assert actions == [("admin", "login.failed"), ("admin", "login.ok")]


def test_the_idle_lock_reads_its_setting_and_zero_turns_it_off(qtbot, db, admin):
    with db.write() as s:
        db.set_setting(s, "accounts.idle_lock_minutes", 0)
    window = Window()
    qtbot.addWidget(window)
    lock = idle_lock.install_idle_lock(window, admin)
    settle(qtbot)
    lock.check(now=lock.last_input + 10_000)
    assert not lock.is_locked and not lock.timer.isActive()


def test_the_daily_backup_runs_when_the_window_opens(qtbot, db, admin):
    window = Window()
    qtbot.addWidget(window)
    daily = install_daily_backup(window, admin, first_delay_ms=0)
    qtbot.waitUntil(lambda: not daily.running, timeout=20000)
    assert [i.kind for i in store.list_backups(backups.backup_dir(db))] == ["daily"]
    assert "Đã sao lưu tự động" in window.statusBar().currentMessage()
    daily.run()
    qtbot.waitUntil(lambda: not daily.running, timeout=20000)
    assert len(store.list_backups(backups.backup_dir(db))) == 1  # once a day


def test_start_up_offers_the_newest_good_backup(commune_dir, monkeypatch):
    db = Database.open(commune_dir)
    good = backups.ensure_daily_backup(db, dt.datetime(2027, 3, 1, 8))
    db.close()
    with open(commune_dir / DB_FILENAME, "r+b") as fh:
        fh.seek(8192)
        fh.write(b"\x13" * 8192)
    offered = []
    monkeypatch.setattr(startup_check.QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(startup_check, "ask_what_to_do", lambda state, parent: offered.append(state) or "stop")
    assert startup_check.check_before_open(commune_dir, None) is False
    assert offered[0].newest_good.path == good.backup.path
    monkeypatch.setattr(startup_check, "ask_what_to_do", lambda state, parent: "newest")
    assert startup_check.check_before_open(commune_dir, None) is True
    assert backups.startup_check(commune_dir).ok
    assert {i.kind for i in store.list_backups(commune_dir / "backups")} == {"daily", "damaged"}


def test_an_unexpected_error_is_shown_with_a_saved_report(tmp_path, monkeypatch):
    from commune_desk.ui import errors

    shown = []
    monkeypatch.setattr(errors.QMessageBox, "exec", lambda self: shown.append(self.text()))
    errors.set_report_dir(tmp_path / "crash-reports")
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as exc:
        errors.report_exception(None, exc)
    reports = list((tmp_path / "crash-reports").glob("crash-*.txt"))
    assert len(reports) == 1 and "ZeroDivisionError: boom" in reports[0].read_text(encoding="utf-8")
    assert "Báo cáo lỗi đã được lưu" in shown[0]
    monkeypatch.setattr(errors.QMessageBox, "critical", lambda *a: shown.append(a[2]))
    errors.report_exception(None, OSError(28, "No space left on device"))
    assert "Ổ đĩa đã đầy" in shown[-1]
    assert len(list((tmp_path / "crash-reports").glob("crash-*.txt"))) == 1  # a full disk is no bug report


def test_the_full_id_number_shows_on_request_and_the_view_is_audited(qtbot, db):
    from commune_desk.ui.dossier_view import DossierView

    clerk = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    saved = receive(clerk, "Nguyễn Văn An", "001092001234")
    view = DossierView(clerk)
    qtbot.addWidget(view)
    view.resize(1176, 700)
    view.open(saved.id)
    qtbot.waitUntil(lambda: view.findChild(QLabel, "id_number") is not None, timeout=10000)
    label = view.findChild(QLabel, "id_number")
    assert "0010****1234" in label.text() and "001092001234" not in label.text()
    before = len(entries(db))
    label.linkActivated.emit("reveal")
    qtbot.waitUntil(lambda: label.text() == "001092001234", timeout=10000)
    last = entries(db)[-1]
    assert len(entries(db)) == before + 1 and (last.action, last.actor, last.target) == ("id.reveal", "canbo", saved.code)

    # a role without the right gets no link at all (and the service would refuse it anyway)
    from PySide6.QtWidgets import QFormLayout, QWidget

    from commune_desk.ui.reveal_id import attach_reveal

    box = QWidget()
    qtbot.addWidget(box)
    form = QFormLayout(box)
    form.addRow("Số định danh:", QLabel("0010****1234"))
    trainer = Ctx(db, Actor(None, "giangvien", "Giảng Viên", Role.TRAINER))
    assert attach_reveal(form, 0, trainer, saved.id, "0010****1234") is None
    assert "href" not in form.itemAt(0, QFormLayout.ItemRole.FieldRole).widget().text()
