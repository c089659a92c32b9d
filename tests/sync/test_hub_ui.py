"""The hub's page: enrolment with the fingerprint read on the phone, a dry-run preview before
the import, the communes' table (silent ones stand out) and the conflict review."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox
from sync_helpers import add_dossiers, admin, enroll, new_commune, sqlite_pair_fixture  # noqa: F401
from sync_ui_helpers import settle

from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.pages.hub import STALE


def hub_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_area("hub")
    settle(qtbot)
    return window, page


def test_hub_page_enrols_only_with_the_matching_fingerprint(qtbot, admin_ctx, hub_db, tmp_path):
    hub = admin(hub_db)
    invite = sync_hub.invite(hub, tmp_path / "hub.json")
    request = commune_sync.enroll(admin_ctx, invite.path, tmp_path / "req.json")
    _window, page = hub_page(qtbot, hub)
    dialog = page.open_request(request.request_path)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.fingerprint_edit.setText("1234 5678 9012 3456 7890")
    assert not ok.isEnabled() and "Không khớp" in dialog.result_label.text()
    dialog.fingerprint_edit.setText(request.my_fingerprint.replace(" ", ""))
    assert ok.isEnabled()
    ok.click()
    settle(qtbot, lambda: page.communes.rowCount() == 1)
    assert page.communes.item(0, 1).text() == "Xã Minh Tân"
    assert "Đã đăng ký Xã Minh Tân" in page.message.text()


def test_hub_page_previews_then_imports(qtbot, sqlite_pair):
    pair = sqlite_pair
    add_dossiers(pair.commune, 7, events=2)
    files = pair.export().files
    _window, page = hub_page(qtbot, pair.hub)
    page.preview(files)
    settle(qtbot, lambda: getattr(page, "preview_dialog", None) is not None)
    headline = page.preview_dialog.headline.text()
    assert headline.startswith("Sẽ tạo 7 hồ sơ, cập nhật 0, 0 xung đột.")
    assert sync_hub.status(pair.hub)[0].last_seq == 0, "the preview wrote nothing"
    page.preview_dialog.accept()
    settle(qtbot, lambda: page.communes.rowCount() == 1 and page.communes.item(0, 3).text() == "1")
    assert "Đã nhập gói số 1 của Xã Minh Tân" in page.message.text()
    assert "Tệp xác nhận cho xã" in page.message.text()
    assert "hồ sơ: 7" in page.communes.item(0, 7).text()


def test_hub_page_shows_silent_communes_and_reviews_conflicts(qtbot, sqlite_pair, tmp_path):
    pair = sqlite_pair
    add_dossiers(pair.commune, 2)
    pair.import_(pair.export().new.path)
    other = new_commune(tmp_path / "other", "00922", "Xã Bình An", "000.00.22.H56")
    try:
        enroll(other, pair.hub, tmp_path / "o")
        add_dossiers(other, 1, prefix=pair.commune.db.require_office().unit_id)
        sync_hub.import_paths(pair.hub, commune_sync.export(other, tmp_path / "u2").files)
    finally:
        other.db.close()
    with pair.hub.db.write() as s:
        pair.hub.db.set_setting(s, "sync.stale_days", 0)
    _window, page = hub_page(qtbot, pair.hub)
    assert page.communes.rowCount() == 2
    assert page.communes.item(0, 0).background().color() == STALE
    assert "chưa đồng bộ" in page.summary.text()
    collision = next(i for i, c in enumerate(page.conflicts) if c.kind == "code_collision")
    page.tabs.setCurrentIndex(1)
    page.conflict_table.selectRow(collision)
    assert "» office_code" in page.local_view.toPlainText()
    assert '"00922"' in page.incoming_view.toPlainText()
    before = len(page.conflicts)
    page.resolve(False)
    settle(qtbot, lambda: len(page.conflicts) == before - 1)
    assert "Đã xử lý xung đột" in page.message.text()


def test_hub_worker_fetches_from_the_inbox_folder_in_the_background(qtbot, sqlite_pair, tmp_path):
    from commune_desk.services import sync_push
    from commune_desk.sync.transport import Folder

    pair = sqlite_pair
    share = tmp_path / "share"
    share.mkdir()
    add_dossiers(pair.commune, 2)
    sync_push.push(pair.commune, transport=Folder(share))
    _window, page = hub_page(qtbot, pair.hub)
    page.worker.stop()
    assert page.worker.source() == (False, None)
    sync_push.configure(pair.hub, kind="folder", folder=str(share))
    results = []
    page.worker.finished.connect(results.append)
    page.worker.run_once()
    settle(qtbot, lambda: results and page.communes.item(0, 3).text() == "1")
    assert [r.status for r in results[0].reports] == ["applied"]
    assert list(share.glob("*/down/ack.cdack")), "the acknowledgement is left for the commune"
