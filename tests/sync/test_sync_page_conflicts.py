"""The commune's sync page lists the conflicts of bundles the hub sent down (the same review
list as the hub's page): here, a step the competent commune took on a relayed dossier that
the receiving office had refused meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sync_helpers import add_dossiers, admin, enroll, new_commune, sqlite_pair_fixture  # noqa: F401
from sync_ui_helpers import settle

from commune_desk.errors import KnownError
from commune_desk.services import lifecycle, sync_hub
from commune_desk.services import sync as commune_sync
from commune_desk.store.models import Dossier
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.tasks import wait_idle


def _down(pair, ctx, tmp_path, name: str, office_code: str) -> None:
    for f in sync_hub.export(pair.hub, office_code, tmp_path / name).files:
        if f.suffix == ".cdb":
            commune_sync.import_file(ctx, f)


@pytest.fixture
def step_conflict(sqlite_pair, tmp_path):
    """Minh Tân receives a dossier for Thuận Hoà and refuses it meanwhile; Thuận Hoà, not
    knowing, assigns it; the step comes back down to Minh Tân, where it no longer fits."""
    pair = sqlite_pair
    other = new_commune(tmp_path / "thuan-hoa", "00922", "Xã Thuận Hoà", "000.00.22.H56")
    enroll(other, pair.hub, tmp_path / "b")
    (code,) = add_dossiers(pair.commune, 1)
    with pair.commune.db.write() as s:
        s.scalars(select(Dossier).where(Dossier.code == code)).one().competent_office_code = "00922"
    pair.import_(pair.export().new.path)
    _down(pair, other, tmp_path, "d1", "00922")
    with other.db.read() as s:
        dossier_id = s.scalars(select(Dossier.id).where(Dossier.code == code)).one()
    lifecycle.refuse(pair.commune, code, reason="Công dân nộp nhầm nơi")
    lifecycle.assign(other, dossier_id, to_name="Công chức Tư pháp - Hộ tịch")
    sync_hub.import_paths(pair.hub, [commune_sync.export(other, tmp_path / "usb-b").new.path])
    _down(pair, pair.commune, tmp_path, "d2", "00919")
    yield pair, code
    other.db.close()


def test_sync_page_lists_conflicts_from_the_hubs_bundles_and_resolves_them(qtbot, step_conflict):
    pair, code = step_conflict
    window = MainWindow(pair.commune)
    qtbot.addWidget(window)
    page = window.show_area("sync")
    settle(qtbot, lambda: page.review.table.rowCount() == 1)
    wait_idle()
    qtbot.wait(200)
    assert page.review.table.rowCount() == 1, "still listed once background work is idle"
    assert page.tabs.tabText(1) == "Xung đột chờ xem xét (1)"
    assert page.review.table.item(0, 0).text() == "UBND tỉnh Tuyên Quang"
    assert page.review.table.item(0, 1).text() == sync_hub.entity_label("dossier_event")
    assert code in page.review.table.item(0, 4).text()
    page.tabs.setCurrentIndex(1)
    page.review.table.selectRow(0)
    assert '"assign"' in page.review.incoming_view.toPlainText()
    assert '"refused"' in page.review.local_view.toPlainText()
    assert not page.review.use_button.isEnabled(), "a step already in the history cannot be put in"

    page.review.resolve(False)
    settle(qtbot, lambda: page.review.table.rowCount() == 0)
    wait_idle()
    qtbot.wait(200)
    assert page.tabs.tabText(1) == "Xung đột chờ xem xét (0)"
    assert "Đã xử lý xung đột" in page.message.text()
    assert sync_hub.conflicts(pair.commune) == []


def test_a_step_conflict_cannot_take_the_incoming_version(step_conflict):
    pair, code = step_conflict
    (conflict,) = sync_hub.conflicts(pair.commune)
    with pytest.raises(KnownError, match="đã có trong lịch sử"):
        sync_hub.resolve_conflict(pair.commune, conflict.id, use_incoming=True)
    with pair.commune.db.read() as s:
        assert s.scalars(select(Dossier.status).where(Dossier.code == code)).one() == "refused"
    assert [c.id for c in sync_hub.conflicts(pair.commune)] == [conflict.id], "still open"
