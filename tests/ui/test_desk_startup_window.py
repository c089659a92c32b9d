"""Start-up: the window shows before the database is open, data arrives afterwards; an open
error is said plainly and ends the app; old printouts are cleared; every desk button fits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QStyle

from commune_desk.domain.roles import Role
from commune_desk.paths import DB_FILENAME
from commune_desk.services import intake
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store.lock import DataFolderLock
from commune_desk.ui import startup_check
from commune_desk.ui.app import Startup
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.tasks import wait_idle

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20000
DAY = 86400


def admin(_db) -> Actor:
    return Actor(None, "admin", "Quản Trị Viên", Role.ADMIN)


def receive_one(folder: Path) -> str:
    db = Database.open(folder)
    try:
        ctx = Ctx(db, admin(db))
        proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
        form = intake.IntakeForm(procedure_code=proc.code, name="Nguyễn Thị Đào", id_number="001192001235",
                                 dob=dt.date(1992, 3, 4), phone="0912345678", address="Thôn 2, xã Minh Tân",
                                 documents=[dataclasses.replace(line, received=True)
                                            for line in intake.form_lines(proc)])
        return intake.receive_dossier(ctx, form).code
    finally:
        db.close()


def aged(path: Path, days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n")
    when = time.time() - days * DAY
    os.utime(path, (when, when))
    return path


def ended_codes(startup: Startup) -> list[int]:
    codes: list[int] = []
    startup.ended.connect(codes.append)
    return codes


def test_the_window_shows_before_the_database_is_open_and_data_arrives_after(qtbot, commune_dir):
    code = receive_one(commune_dir)
    old = aged(commune_dir / "print" / "receipt-old.pdf", 8)
    recent = aged(commune_dir / "print" / "receipt-recent.pdf", 2)
    opening, release = threading.Event(), threading.Event()

    def slow_open(data_dir, db_url):  # held open by the test, not by a timer
        opening.set()
        assert release.wait(30)
        return Database.open(data_dir, db_url)

    startup = Startup(commune_dir, sign_in=admin, first_area="dossiers", open_database=slow_open)
    ready: list[MainWindow] = []
    startup.ready.connect(ready.append)
    window = startup.start()
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(opening.is_set, timeout=WAIT)
        qtbot.wait(100)
        # the shell is on screen while the database is still being opened
        assert window.isVisible() and window.ctx is None and not ready
        assert window.statusBar().currentMessage() == "Đang mở cơ sở dữ liệu…"
        assert window.waiting.text() == "Đang mở cơ sở dữ liệu…"
        assert window.nav.count() == 0 and window.windowTitle() == "commune_desk"
        assert old.exists()

        release.set()
        qtbot.waitUntil(lambda: bool(ready), timeout=WAIT)
        assert ready[0] is window and window.ctx is not None
        assert window.windowTitle() == "commune_desk — Xã Minh Tân"
        assert [window.nav.item(i).text() for i in range(window.nav.count())][:2] == ["Tiếp nhận", "Hồ sơ"]
        assert window.nav.currentRow() == 1 and window.stack.currentWidget() is window.page("dossiers")
        assert set(window._pages) == {"dossiers"}  # only the page shown is built
        page = window.page("dossiers")
        qtbot.waitUntil(lambda: page.model.row_at(0) is not None, timeout=WAIT)
        assert page.model.row_at(0).code == code
        assert hasattr(window, "daily_backup")  # the daily backup runs for this window
        wait_idle()
        qtbot.wait(100)
        assert not old.exists() and recent.exists()  # printouts older than a week cleared
        assert page.model.row_at(0).code == code
        assert "Quản Trị Viên — Quản trị" in window.findChild(type(window.waiting), "who").text()
    finally:
        release.set()
        window.close()
        startup.close_database()


def test_an_open_error_shows_its_message_and_ends_the_app(qtbot, commune_dir, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    lock = DataFolderLock(commune_dir)
    lock.acquire()  # a second copy of the app holds the folder
    try:
        startup = Startup(commune_dir, sign_in=admin)
        codes = ended_codes(startup)
        window = startup.start()
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: bool(codes), timeout=WAIT)
    finally:
        lock.release()
    assert codes == [1] and startup.exit_code == 1
    assert len(shown) == 1 and "Một bản commune_desk khác đang mở thư mục dữ liệu" in shown[0]
    assert not window.isVisible() and window.ctx is None and startup.db is None
    startup.close_database()


def test_a_damaged_file_offers_the_backups_and_stopping_ends_the_app(qtbot, commune_dir, monkeypatch):
    with open(commune_dir / DB_FILENAME, "r+b") as fh:
        fh.seek(8192)
        fh.write(b"\x13" * 8192)
    offered = []
    monkeypatch.setattr(startup_check, "ask_what_to_do", lambda state, parent: offered.append(state) or "stop")
    startup = Startup(commune_dir, sign_in=admin)
    codes = ended_codes(startup)
    window = startup.start()
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(codes), timeout=WAIT)
    assert codes == [1] and len(offered) == 1 and not offered[0].ok
    assert startup.db is None and not window.isVisible()


def test_a_refused_login_ends_the_app_quietly(qtbot, commune_dir):
    startup = Startup(commune_dir)
    codes = ended_codes(startup)
    window = startup.start()
    qtbot.addWidget(window)
    from commune_desk.ui.login_dialog import LoginDialog

    qtbot.waitUntil(lambda: window.findChild(LoginDialog) is not None
                    and window.findChild(LoginDialog).isVisible(), timeout=WAIT)
    login = window.findChild(LoginDialog)
    assert login.isModal() and window.isVisible()  # the login sits over the shown window
    assert window.waiting.text() == "Đang chờ đăng nhập…"
    login.reject()
    qtbot.waitUntil(lambda: bool(codes), timeout=WAIT)
    assert codes == [0] and window.ctx is None
    startup.close_database()
    assert startup.db is None


def test_nothing_heavy_is_imported_before_the_window_shows():
    code = ("import sys\nfrom commune_desk.ui.app import make_app, Startup\napp = make_app()\n"
            "Startup(None).window.show()\napp.processEvents()\n"
            "heavy = sorted(m for m in ('sqlalchemy', 'alembic', 'commune_desk.services.context', "
            "'commune_desk.store') if m in sys.modules)\nprint(heavy)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_old_printouts_are_removed_and_recent_ones_kept(tmp_path):
    folder = tmp_path / "print"
    old, week, recent = aged(folder / "a.pdf", 10), aged(folder / "b.pdf", 7.01), aged(folder / "c.pdf", 6.9)
    nested = aged(folder / "sub" / "d.pdf", 30)
    assert startup_check.remove_old_printouts(tmp_path) == 2
    assert not old.exists() and not week.exists() and recent.exists()
    assert nested.exists()  # only the files the app writes directly under print/
    assert startup_check.remove_old_printouts(tmp_path / "nowhere") == 0
    assert startup_check.remove_old_printouts(tmp_path, now=time.time() + 2 * DAY) == 1


@pytest.mark.parametrize("role", [Role.CLERK, Role.ADMIN])
def test_every_desk_button_is_fully_visible_at_1366x768(qtbot, db, role):
    window = MainWindow(Ctx(db, Actor(None, "canbo", "Cán Bộ", role)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.show_area("desk")
    qtbot.waitUntil(lambda: bool(page.intake.picker.choices), timeout=WAIT)
    wait_idle()
    qtbot.wait(50)
    buttons = [b for b in page.intake.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    assert page.intake.drafts_button in buttons and len(buttons) >= 5
    for button in buttons:
        top_left = button.mapTo(window, button.rect().topLeft())
        bottom_right = button.mapTo(window, button.rect().bottomRight())
        assert window.rect().contains(top_left) and window.rect().contains(bottom_right), button.text()
        assert button.width() >= button.sizeHint().width(), button.text()
        if getattr(button, "menu", lambda: None)() is not None:  # its text and its menu arrow side by side
            style = button.style()
            room = (button.fontMetrics().horizontalAdvance(button.text())
                    + style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
                    + 2 * style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button))
            assert button.width() >= room, button.text()
    window.grab().save("/tmp/desk_startup_intake.png")
