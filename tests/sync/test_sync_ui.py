"""The commune's sync page: enrol, export to a folder (and say where the file went), read the
hub's acknowledgement, and the background worker that pushes when the WebDAV server answers."""

from __future__ import annotations

from sync_helpers import USERS, add_dossiers, admin, dav_fixture, sqlite_pair_fixture  # noqa: F401
from sync_ui_helpers import settle

from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub, sync_push
from commune_desk.ui.main_window import MainWindow


def page_of(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_area("sync")
    page.worker.stop()  # the tests drive the worker themselves
    settle(qtbot, lambda: hasattr(page, "current"))
    return window, page


def test_sync_page_enrols_with_the_hub(qtbot, admin_ctx, hub_db, tmp_path):
    invite = sync_hub.invite(admin(hub_db), tmp_path / "hub.json")
    _window, page = page_of(qtbot, admin_ctx)
    assert not page.export_button.isEnabled()
    assert "Chưa đăng ký" in page.enrol_label.text()
    page.do_enrol(invite.path, tmp_path / "request.json")
    settle(qtbot, lambda: "UBND tỉnh Tuyên Quang" in page.enrol_label.text())
    assert (tmp_path / "request.json").exists()
    fingerprint = commune_sync.status(admin_ctx).my_fingerprint
    assert fingerprint in page.message.text() and str(tmp_path / "request.json") in page.message.text()
    assert page.export_button.isEnabled()


def test_sync_page_exports_to_a_folder_and_reads_the_acknowledgement(qtbot, sqlite_pair, tmp_path):
    pair = sqlite_pair
    add_dossiers(pair.commune, 5)
    window, page = page_of(qtbot, pair.commune)
    usb = tmp_path / "E"
    page.do_export(usb)
    settle(qtbot, lambda: page.table.rowCount() == 1)
    (made,) = usb.glob("*.cdb")
    assert str(usb) in page.message.text(), "the window says where the file went"
    assert page.table.item(0, 4).text() == "Đã gửi, chờ xác nhận"
    ack = sync_hub.import_paths(pair.hub, [made]).acks[0]
    page.do_read([ack])
    settle(qtbot, lambda: page.table.item(0, 4).text() == "Cấp trên đã xác nhận")
    assert "đã nhận đủ đến gói số 1" in page.message.text()
    assert "Cấp trên đã nhận" in window.statusBar().currentMessage() or page.message.isVisible()


def test_sync_worker_pushes_when_the_server_answers(qtbot, sqlite_pair, dav):
    pair = sqlite_pair
    invite = sync_hub.invite(pair.hub, pair.folder / "dav.json", webdav_url=dav.url)
    commune_sync.enroll(pair.commune, invite.path, pair.folder / "r.json", webdav_user="00919")
    add_dossiers(pair.commune, 3)
    _window, page = page_of(qtbot, pair.commune)
    worker = page.worker
    # offline: the server refuses (no password) -> it waits longer before the next try
    worker.run_once()
    settle(qtbot, lambda: not worker.running)
    assert worker.interval == 2 * worker.MIN_INTERVAL_MS
    assert dav.puts("/head") == 0
    # the password typed in the window (no OS keyring here: kept in memory only)
    worker.password = USERS["00919"]
    results = []
    worker.finished.connect(results.append)
    worker.run_once()
    settle(qtbot, lambda: results)
    assert results[0].uploaded == [1] and dav.puts("/head") == 1
    assert worker.interval == worker.MIN_INTERVAL_MS
    settle(qtbot, lambda: page.table.rowCount() == 1 and "qua mạng" in page.table.item(0, 5).text())
    assert sync_push.transport_config(pair.commune.db).last_error is None
