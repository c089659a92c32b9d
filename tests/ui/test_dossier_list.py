"""The dossier list in the window: it fills lazily, filters (overdue included), searches in
Vietnamese without diacritics, sorts, jumps to its end, and opens a dossier with its
history, the ID number masked and the next-step panel."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from sqlalchemy import select

from commune_desk.domain.roles import Role
from commune_desk.domain.text import fold
from commune_desk.services import demo, dossier_query
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import Dossier, DossierEvent, Procedure
from commune_desk.ui import dossier_model
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.tasks import wait_idle

NOW = dt.datetime.now(dt.UTC)
WAIT = 20000


@pytest.fixture
def window(qtbot, db):
    demo.fill_demo(Ctx(db, Actor.system()), dossiers=450, staff=0, seed=3, now=NOW)
    with db.write() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == "1.000894"))
        received = NOW - dt.timedelta(days=10)
        d = Dossier(code="000.00.19.H56-991231-0001", book_year=1999, book_number=1, procedure_id=proc.id,
                    procedure_code=proc.code, procedure_name=proc.name, field=proc.field,
                    applicant_name="Nguyễn Thị Đào", applicant_folded=fold("Nguyễn Thị Đào"),
                    applicant_id_number="008190012345", applicant_phone="0912345678",
                    applicant_address="Thôn Tân Lập, Xã Minh Tân", received_at=received,
                    due_at=received + dt.timedelta(days=3), original_due_at=received + dt.timedelta(days=3),
                    status="processing", handler_name="Trần Thị Mai", documents=[])
        s.add(d)
        s.flush()
        s.add(DossierEvent(dossier_id=d.id, kind="received", at=received, actor_name="Lê Thị Hồng",
                           to_status="received", data={"code": d.code}))
        s.add(DossierEvent(dossier_id=d.id, kind="assign", at=received + dt.timedelta(hours=1),
                           actor_name="Lê Thị Hồng", from_status="received", to_status="processing",
                           data={"to_name": "Trần Thị Mai"}))
    win = MainWindow(Ctx(db, Actor(None, "canbo", "Cán bộ Một Cửa", Role.CLERK)))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    page = win.show_area("dossiers")
    qtbot.waitUntil(lambda: page.model.total == 451, timeout=WAIT)
    yield win, page
    # let every background task of this window end while its widgets still exist
    wait_idle()
    qtbot.wait(20)


def loaded_rows(page) -> list:
    model = page.model
    return [model.row_at(i) for i in range(model.rowCount()) if model.row_at(i) is not None]


def test_the_list_shows_every_dossier_lazily(window):
    _win, page = window
    assert page.count_label.text() == "451 hồ sơ"
    last = (451 - 1) // dossier_model.PAGE
    assert set(page.model.loaded_pages()) <= {0, last}  # the first page and the end fetched ahead, not the table
    first = page.model.index(0, 0)
    assert page.model.data(first).startswith("000.00.19.H56-")
    received = [r.received_at for r in loaded_rows(page)]
    assert received == sorted(received, reverse=True)  # newest first


def test_ctrl_end_jumps_to_the_oldest_dossier(window, qtbot, db):
    _win, page = window
    with db.read() as s:
        oldest = s.scalar(select(Dossier.code).order_by(Dossier.received_at.asc(), Dossier.id.asc()).limit(1))
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    last = page.model.rowCount() - 1
    qtbot.waitUntil(lambda: page.model.row_at(last) is not None, timeout=WAIT)
    assert page.model.row_at(last).code == oldest
    assert page.table.currentIndex().row() == last
    assert 0 < len(page.model.loaded_pages()) <= 3


def test_overdue_filter_shows_only_marked_dossiers(window, qtbot):
    _win, page = window
    page.overdue.setChecked(True)
    qtbot.waitUntil(lambda: page.model.total is not None and page.model.filter.overdue, timeout=WAIT)
    rows = loaded_rows(page)
    assert rows and len(rows) == page.model.total
    assert all(r.overdue for r in rows)
    status_text = page.model.data(page.model.index(0, 3))
    assert "quá hạn" in status_text
    assert page.model.data(page.model.index(0, 3), Qt.ItemDataRole.ForegroundRole) is not None
    assert "Nguyễn Thị Đào" in [r.applicant_name for r in rows]


def test_status_and_field_filters(window, qtbot):
    _win, page = window
    qtbot.waitUntil(lambda: page.status.count() > 5, timeout=WAIT)
    page.status.setCurrentIndex(page.status.findData("returned"))
    qtbot.waitUntil(lambda: page.model.total is not None and page.model.filter.statuses == ("returned",),
                    timeout=WAIT)
    assert {r.status for r in loaded_rows(page)} == {"returned"}
    page.field.setCurrentIndex(page.field.findData("Hộ tịch"))
    qtbot.waitUntil(lambda: page.model.total is not None and page.model.filter.field == "Hộ tịch", timeout=WAIT)
    assert {(r.status, r.field) for r in loaded_rows(page)} == {("returned", "Hộ tịch")}
    page.clear_button.click()
    qtbot.waitUntil(lambda: page.model.total == 451, timeout=WAIT)


def test_search_without_diacritics_and_open_the_dossier(window, qtbot):
    _win, page = window
    page.search.setText("nguyen thi dao")   # typing Vietnamese with keyClicks aborts Qt: set the text
    page.search.returnPressed.emit()
    qtbot.waitUntil(lambda: page.model.total is not None and page.model.filter.text == "nguyen thi dao",
                    timeout=WAIT)
    found = loaded_rows(page)
    assert "Nguyễn Thị Đào" in [r.applicant_name for r in found]
    assert all(fold(r.applicant_name).startswith("nguyen thi dao") for r in found)
    page.search.setText("Nguyễn Thị Đào 0912 345 678")     # the name and the phone
    page.search.returnPressed.emit()
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=WAIT)
    assert page.model.row_at(0).applicant_name == "Nguyễn Thị Đào"
    assert "mới nhận trước" in page.hint.text()
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    view = page.view
    assert page.stack.currentWidget() is view
    qtbot.waitUntil(lambda: view.info is not None and view.history.rowCount() == 2, timeout=WAIT)
    texts = " ".join(lbl.text() for lbl in view.findChildren(type(view.title)))
    assert "0081****2345" in texts and "008190012345" not in texts
    assert "Quá hạn" in view.title.text()
    assert view.history.item(0, 1).text() == "Tiếp nhận hồ sơ"
    assert view.history.item(1, 1).text() == "Phân công, chuyển xử lý"
    assert "Trần Thị Mai" in view.history.item(1, 4).text()
    assert view.actions is not None and view.actions.dossier_id == view.info.id
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0


def test_sorting_by_a_header(window, qtbot):
    _win, page = window
    header = page.table.horizontalHeader()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)    # "Mã hồ sơ"
    qtbot.waitUntil(lambda: page.model.sort_key == "code" and page.model.total == 451
                    and len(page.model.loaded_pages()) == 2, timeout=WAIT)
    codes = [r.code for r in loaded_rows(page)]   # the first page and the end, fetched right after it
    assert codes == sorted(codes) and len(codes) == 451 - (451 - 1) // dossier_model.PAGE * dossier_model.PAGE \
        + dossier_model.PAGE
    assert codes[0] == page.model.row_at(0).code and codes[-1] == page.model.row_at(450).code
    header.setSortIndicator(2, Qt.SortOrder.AscendingOrder)    # "Thủ tục" has no index: ignored
    qtbot.wait(50)
    assert page.model.sort_key == "code" and header.sortIndicatorSection() == 0


def test_a_new_dossier_elsewhere_refreshes_the_list(window, qtbot, db):
    win, page = window
    from commune_desk.services import intake

    ctx = Ctx(db, Actor(None, "canbo", "Cán bộ Một Cửa", Role.CLERK))
    proc = intake.procedure_by_code(ctx, "2.000815")
    form = intake.IntakeForm(procedure_code=proc.code, name="Lò Văn Páo", id_number="002090004321",
                             dob=dt.date(1990, 3, 4), phone="0912000999", address="Thôn Minh Khai, Xã Minh Tân",
                             documents=[intake.DocumentLine(d.name, d.form, d.count, d.required, True)
                                        for d in proc.documents])
    saved = intake.receive_dossier(ctx, form)
    win.data_changed.emit("dossier")
    qtbot.waitUntil(lambda: page.model.total == 452, timeout=WAIT)
    assert page.model.row_at(0).code == saved.code


def test_a_jump_into_the_middle_walks_bookmarks_not_offsets(window, monkeypatch):
    """With no neighbour loaded, the page is reached through bookmarks found along the index."""
    _win, page = window
    ctx, flt = page.ctx, page.model.filter
    everything = dossier_query.fetch_page(ctx, flt, "received", True, limit=451)
    monkeypatch.setattr(dossier_model, "PAGE", 20)
    pages, marks = dossier_model.load_pages(ctx, flt, "received", True, [11], {}, None, 451, page.model.now)
    assert [r.id for r in pages[11]] == [r.id for r in everything[220:240]]
    assert len(marks) == 11 and marks[-1] == everything[219].key
    # later jumps go on from the bookmarks already known
    pages, more = dossier_model.load_pages(ctx, flt, "received", True, [15], {}, marks, 451, page.model.now)
    assert [r.id for r in pages[15]] == [r.id for r in everything[300:320]]
    assert more[:11] == marks and len(more) == 15


def test_codes_dates_and_statuses_are_never_cut_at_1366(window, qtbot):
    """Every fixed column is as wide as its values in the table's font, whatever the platform's
    font is: the received and due times, the dossier code and the status read whole."""
    _win, page = window
    model, table = page.model, page.table
    qtbot.waitUntil(lambda: model.data(model.index(0, 0)) is not None, timeout=WAIT)
    checked = 0
    for col, (key, _label, _sort) in enumerate(dossier_model.COLUMNS):
        if key not in ("code", "status", "received", "due"):
            continue  # a long name or procedure is elided, its whole text in the detail pane
        for row in range(min(40, model.rowCount())):
            text = model.data(model.index(row, col))
            font = model.data(model.index(row, col), Qt.ItemDataRole.FontRole) or table.font()
            if text:  # in the cell's own font: an overdue row is bold
                assert QFontMetrics(font).horizontalAdvance(str(text)) + 8 <= table.columnWidth(col), (key, text)
                checked += 1
    assert checked >= 150
    assert table.columnWidth([c[0] for c in dossier_model.COLUMNS].index("procedure")) >= 150  # room left
