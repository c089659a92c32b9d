"""The desk's morning board: overdue, due today, due on the next working day, per handler;
supplements left unanswered too long are closed when it loads."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from lifecycle_support import make_dossier
from PySide6.QtWidgets import QApplication

from commune_desk.domain.calendar import to_local, to_utc
from commune_desk.services import lifecycle as lc
from commune_desk.services.calendar import load_calendar
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier
from commune_desk.ui.dossier_actions import ActionPanel
from commune_desk.ui.due_board import DueBoard
from commune_desk.ui.tasks import wait_idle


def settle(qtbot) -> None:
    for _i in range(6):
        wait_idle()
        qtbot.wait(15)
        QApplication.processEvents()


def set_due(db, dossier_id, due_utc) -> None:
    with db.write() as s:
        s.get(Dossier, dossier_id).due_at = due_utc


def test_board_groups_due_dossiers_per_handler_and_closes_stale_supplements(qtbot, clerk_ctx, db):
    now = utcnow()
    today = to_local(now).date()
    cal = load_calendar(db)
    late = make_dossier(db, now - timedelta(days=30), applicant="Quá Hạn")
    due_today = make_dossier(db, now - timedelta(hours=2), applicant="Hôm Nay")
    due_next = make_dossier(db, now - timedelta(hours=2), applicant="Ngày Mai")
    later = make_dossier(db, now - timedelta(hours=2), applicant="Còn Lâu")
    stale = make_dossier(db, now - timedelta(days=40), applicant="Không Bổ Sung")
    set_due(db, due_today, to_utc(dt.datetime.combine(today, dt.time(23, 59, 59))))
    set_due(db, due_next, to_utc(dt.datetime.combine(cal.next_working_day(today), dt.time(17, 0))))
    set_due(db, later, to_utc(dt.datetime.combine(cal.add_working_days(today, 5), dt.time(17, 0))))
    lc.assign(clerk_ctx, due_today, to_name="Hoàng Văn Hộ", at=now - timedelta(hours=1))
    lc.assign(clerk_ctx, stale, to_name="Hoàng Văn Hộ", at=now - timedelta(days=39))
    lc.request_supplement(clerk_ctx, stale, items=["Tờ khai"], reason="Thiếu", at=now - timedelta(days=38))

    board = DueBoard(clerk_ctx)
    qtbot.addWidget(board)
    board.resize(1366, 700)
    board.show()
    settle(qtbot)
    codes = {d: lc.card(clerk_ctx, d).code for d in (late, due_today, due_next, later, stale)}
    assert board.items_of("overdue") == [("Chưa phân công (1)", codes[late])]
    assert board.items_of("today") == [("Hoàng Văn Hộ (1)", codes[due_today])]
    assert board.items_of("next") == [("Chưa phân công (1)", codes[due_next])]
    assert codes[later] not in str(board.rows) and codes[stale] not in str(board.rows)
    assert board.closed == [codes[stale]] and codes[stale] in board.heading.text()
    assert lc.card(clerk_ctx, stale).status == "closed"

    # opening a dossier from the board shows its action panel; an apology is still possible
    board.open_dossier(due_next)
    settle(qtbot)
    panel = board.dialog.findChild(ActionPanel)
    assert panel is not None and panel.buttons["extend"].isEnabled()
    board.dialog.close()
