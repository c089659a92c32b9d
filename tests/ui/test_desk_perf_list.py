"""Opening the whole dossier list fetches its first page with its length, then at once its last
page, so Ctrl+End shows the last row with no wait, and nothing counts the table."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import event

from commune_desk.domain.roles import Role
from commune_desk.services import demo
from commune_desk.services.context import Actor, Ctx
from commune_desk.ui import dossier_model
from commune_desk.ui.pages.dossiers import DossiersPage
from commune_desk.ui.tasks import wait_idle

TOTAL = 450


def test_ctrl_end_needs_no_fetch_and_nothing_counts_the_table(qtbot, db):
    demo.fill_demo(Ctx(db, Actor.system()), dossiers=TOTAL, staff=0, seed=5, now=dt.datetime.now(dt.UTC))
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: sent.append(statement))
    page = DossiersPage(Ctx(db, Actor(None, "canbo", "Cán bộ", Role.CLERK)))
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    last_page = (TOTAL - 1) // dossier_model.PAGE
    qtbot.waitUntil(lambda: page.model.total == TOTAL and last_page in page.model.loaded_pages(), timeout=20000)
    assert set(page.model.loaded_pages()) == {0, last_page}   # the end came right after the first page
    assert not any("count(" in s.lower() and "FROM dossier" in s for s in sent)  # the kept total, no COUNT
    wait_idle()
    qtbot.wait(50)
    sent.clear()
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert page.model.row_at(TOTAL - 1) is not None            # on screen with the key press itself
    assert page.table.currentIndex().row() == TOTAL - 1
    wait_idle()
    qtbot.wait(50)
    assert not any("FROM dossier" in s for s in sent)   # and no query was needed
    assert page.model.data(page.model.index(TOTAL - 1, 0)) != dossier_model.LOADING
