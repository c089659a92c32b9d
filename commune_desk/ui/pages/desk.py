"""The desk area: tabs for the counter's work. "Tiếp nhận hồ sơ" (intake) is the first tab;
the lifecycle adds "Đến hạn" (dossiers due)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from commune_desk.i18n import _
from commune_desk.services.context import Ctx
from commune_desk.ui.desk_intake import IntakeWidget


class DeskPage(QTabWidget):
    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.setObjectName("desk")
        self.setDocumentMode(True)
        self.intake = IntakeWidget(ctx, window, self)
        self.addTab(self.intake, _("Tiếp nhận hồ sơ"))
        from commune_desk.ui.due_board import DueBoard  # the lifecycle's tab

        self.due = DueBoard(ctx, window, self)
        self.addTab(self.due, _("Đến hạn"))
        if window is not None and hasattr(window, "data_changed"):
            window.data_changed.connect(self._data_changed)

    def _data_changed(self, kind: str) -> None:
        if kind in ("catalog", "calendar", "settings"):
            self.intake.reload_catalog()


def create_page(ctx: Ctx, window) -> QWidget:
    return DeskPage(ctx, window)
