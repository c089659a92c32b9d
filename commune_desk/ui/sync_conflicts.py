"""The list of sync conflicts waiting for a person, with both versions side by side and the
two decisions (keep what is here / use what came). Shared by the hub's page and the
commune's sync page (conflicts of bundles the hub sent down); the data comes from
``sync_hub.conflicts`` and decisions go to ``sync_hub.resolve_conflict`` (both sides)."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.i18n import _
from commune_desk.services import sync_hub
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def when(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def table(headers: list[str], name: str) -> QTableWidget:
    """A read-only list selecting whole rows, the last column stretched."""
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().hide()
    header = t.horizontalHeader()
    for i in range(len(headers) - 1):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return t


class ConflictReview(QSplitter):
    """Conflicts (newest first); selecting one shows both versions, differing fields marked »."""

    resolved = Signal(str)   # the message to show; the owner reloads the list

    def __init__(self, ctx: Ctx, name: str, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.ctx = ctx
        self.conflicts: list[sync_hub.ConflictInfo] = []
        self.table = table([_("Đơn vị"), _("Loại bản ghi"), _("Loại xung đột"), _("Phát hiện lúc"), _("Lý do")], name)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.local_view = QPlainTextEdit()
        self.local_view.setReadOnly(True)
        self.incoming_view = QPlainTextEdit()
        self.incoming_view.setReadOnly(True)
        keep = QPushButton(_("Giữ bản đang có"))
        keep.setObjectName("conflict_keep")
        keep.clicked.connect(lambda: self.resolve(False))
        use = self.use_button = QPushButton(_("Dùng bản gửi đến"))
        use.setObjectName("conflict_use")
        use.clicked.connect(lambda: self.resolve(True))
        versions = QWidget()
        vl = QHBoxLayout(versions)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel(_("Bản đang có ở đây")))
        left.addWidget(self.local_view)
        left.addWidget(keep)
        right.addWidget(QLabel(_("Bản gửi đến")))
        right.addWidget(self.incoming_view)
        right.addWidget(use)
        vl.addLayout(left)
        vl.addLayout(right)
        self.addWidget(self.table)
        self.addWidget(versions)

    def set_conflicts(self, conflicts: list[sync_hub.ConflictInfo]) -> None:
        self.conflicts = list(conflicts)
        self.table.setRowCount(len(self.conflicts))
        for i, c in enumerate(self.conflicts):
            for col, value in enumerate([c.office or "", sync_hub.entity_label(c.entity),
                                         sync_hub.conflict_label(c.kind), when(c.detected_at), c.reason]):
                item = QTableWidgetItem(value)
                item.setToolTip(value)   # the reason is often longer than its column
                self.table.setItem(i, col, item)
        if not self.conflicts:
            self.local_view.clear()
            self.incoming_view.clear()

    def _show_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.conflicts):
            return
        c = self.conflicts[row]
        self.use_button.setEnabled(c.kind not in sync_hub.KEEP_ONLY)
        local, incoming = c.local_row or {}, c.incoming_row or {}
        differ = {k for k in set(local) | set(incoming) if local.get(k) != incoming.get(k)}

        def text(row_: dict) -> str:
            return "\n".join(("» " if k in differ else "  ") + f"{k}: {json.dumps(v, ensure_ascii=False)}"
                             for k, v in row_.items()) or _("(không có)")

        self.local_view.setPlainText(text(local))
        self.incoming_view.setPlainText(text(incoming))

    def resolve(self, use_incoming: bool) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.conflicts):
            return
        conflict_id = self.conflicts[row].id
        run_task(lambda ctl: sync_hub.resolve_conflict(self.ctx, conflict_id, use_incoming=use_incoming),
                 on_success=lambda _r: self.resolved.emit(_("Đã xử lý xung đột.")), parent=self)
