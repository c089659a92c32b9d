"""The training area: courses (sessions, attendance, results, certificates), the staff
registry, and who is below the yearly minimum. A trainer's account sees only this area."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from commune_desk.i18n import _
from commune_desk.services.context import Ctx
from commune_desk.ui.training_courses import CoursesPanel
from commune_desk.ui.training_hours import HoursPanel
from commune_desk.ui.training_staff import StaffPanel


class TrainingPage(QWidget):
    def __init__(self, ctx: Ctx, window=None) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self._origin: QWidget | None = None
        self.courses = CoursesPanel(ctx, self)
        self.staff = StaffPanel(ctx, self)
        self.hours = HoursPanel(ctx, self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("training_tabs")
        self.tabs.addTab(self.courses, _("Khóa bồi dưỡng"))
        self.tabs.addTab(self.staff, _("Cán bộ, công chức"))
        self.tabs.addTab(self.hours, _("Chưa đủ giờ"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        for panel in (self.courses, self.staff, self.hours):
            panel.changed.connect(self._changed)
        if window is not None and hasattr(window, "data_changed"):
            window.data_changed.connect(self._refresh)

    def _changed(self) -> None:
        self._origin = self.sender()  # it has refreshed itself already
        if self.window_ is not None and hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("training")
        else:
            self._refresh("training")

    def _refresh(self, kind: str) -> None:
        if kind != "training":
            return
        origin, self._origin = self._origin, None
        for panel in (self.courses, self.staff, self.hours):
            if panel is not origin:
                panel.reload()


def create_page(ctx: Ctx, window) -> QWidget:
    return TrainingPage(ctx, window)
