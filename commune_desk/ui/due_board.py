"""The morning board (desk tab "Đến hạn"): open dossiers whose clock runs, overdue, due
today, and due on the next working day (the last day an apology with a new appointment is
still possible is today), grouped per handler.

Each refresh first closes the dossiers whose supplement did not come in time (Decree
118/2025 art. 19.5), so the desk does it at start and, through a timer that notices the
date change, every day.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import to_local
from commune_desk.domain.lifecycle import status_label
from commune_desk.i18n import N_, _
from commune_desk.services import lifecycle
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.ui.tasks import run_task

CATEGORIES = (
    ("overdue", N_("Quá hạn")),
    ("today", N_("Đến hạn hôm nay")),
    ("next", N_("Đến hạn {day} — còn kịp xin lỗi, hẹn lại trong hôm nay")),
)
COLUMNS = (N_("Hồ sơ / người xử lý"), N_("Người nộp"), N_("Thủ tục"), N_("Hẹn trả"), N_("Trạng thái"), N_("Ghi chú"))
CHECK_EVERY_MS = 5 * 60 * 1000
ID_ROLE = Qt.ItemDataRole.UserRole


class DueBoard(QWidget):
    def __init__(self, ctx: Ctx, window=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("due_board")
        self.ctx = ctx
        self.window_ = window
        self.day: dt.date | None = None
        self.rows: list[lifecycle.BoardRow] = []
        self.closed: list[str] = []
        self.dialog: QDialog | None = None

        self.heading = QLabel(_("Đang tải…"))
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.refresh_button = QPushButton(_("Làm mới"))
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        self.tree = QTreeWidget()
        self.tree.setObjectName("due_tree")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels([_(c) for c in COLUMNS])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((250, 170, 330, 120, 150)):
            self.tree.setColumnWidth(col, width)
        self.tree.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        if window is not None and hasattr(window, "data_changed"):
            window.data_changed.connect(self._data_changed)
        self.refresh()

    # -- loading -------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.day != to_local(utcnow()).date():
            self.refresh()

    def _data_changed(self, kind: str) -> None:
        if kind in ("dossier", "calendar", "settings"):
            self.refresh()

    def refresh(self) -> None:
        ctx = self.ctx

        def work(_ctl):
            closed = lifecycle.close_unanswered_supplements(ctx)
            next_day, rows = lifecycle.due_board(ctx)
            return to_local(utcnow()).date(), next_day, rows, closed

        self.refresh_button.setEnabled(False)
        run_task(work, on_success=self._show, on_finished=lambda: self.refresh_button.setEnabled(True), parent=self)

    def _show(self, loaded: tuple) -> None:
        today, next_day, rows, closed = loaded
        self.day, self.rows, self.closed = today, rows, closed
        counts = {key: sum(r.category == key for r in rows) for key, _label in CATEGORIES}
        text = _("Hôm nay {today}: {overdue} hồ sơ quá hạn, {due} đến hạn hôm nay, {next} đến hạn {day}.").format(
            today=today.strftime("%d/%m/%Y"), overdue=counts["overdue"], due=counts["today"], next=counts["next"],
            day=next_day.strftime("%d/%m/%Y"))
        if closed:
            text += " " + _("Đã đóng {n} hồ sơ quá hạn bổ sung: {codes}.").format(n=len(closed), codes=", ".join(closed))
        self.heading.setText(text)
        self.tree.clear()
        for key, label in CATEGORIES:
            group = [r for r in rows if r.category == key]
            title = _(label).format(day=next_day.strftime("%d/%m/%Y"))
            top = QTreeWidgetItem([f"{title} ({len(group)})"])
            top.setData(0, ID_ROLE, key)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if key == "overdue" and group:
                top.setForeground(0, Qt.GlobalColor.darkRed)
            self.tree.addTopLevelItem(top)
            handlers: dict[str, QTreeWidgetItem] = {}
            for row in group:
                name = row.handler_name or _("Chưa phân công")
                if name not in handlers:
                    handlers[name] = QTreeWidgetItem([name])
                    top.addChild(handlers[name])
                note = _("Đã hẹn lại một lần") if row.extension_used else ""
                item = QTreeWidgetItem([row.code, row.applicant_name, row.procedure_name,
                                        to_local(row.due_at).strftime("%H:%M %d/%m/%Y"), status_label(row.status),
                                        note])
                item.setData(0, ID_ROLE, row.id)
                item.setToolTip(2, row.procedure_name)
                handlers[name].addChild(item)
            for name, item in handlers.items():
                item.setText(0, f"{name} ({item.childCount()})")
                item.setFirstColumnSpanned(True)
            top.setFirstColumnSpanned(True)   # the group titles are long: across the whole row
        self.tree.expandAll()

    def items_of(self, category: str) -> list[tuple[str, str]]:
        """(handler line, dossier code) of a category (tests)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, ID_ROLE) != category:
                continue
            for h in range(top.childCount()):
                handler = top.child(h)
                out += [(handler.text(0), handler.child(k).text(0)) for k in range(handler.childCount())]
        return out

    # -- opening a dossier ---------------------------------------------------------------
    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        dossier_id = item.data(0, ID_ROLE)
        if isinstance(dossier_id, uuid.UUID):
            self.open_dossier(dossier_id)

    def open_dossier(self, dossier_id: uuid.UUID) -> None:
        """The dossier with its action panel (apology, hand-off…), in a window of its own."""
        from commune_desk.ui.dossier_actions import ActionPanel

        dialog = QDialog(self)
        dialog.setWindowTitle(_("Hồ sơ"))
        dialog.resize(820, 220)
        panel = ActionPanel(self.ctx, dossier_id, dialog)
        panel.changed.connect(self._panel_changed)
        close = QPushButton(_("Đóng"))
        close.clicked.connect(dialog.accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(panel)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def _panel_changed(self) -> None:
        if self.window_ is not None and hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("dossier")
        else:
            self.refresh()
