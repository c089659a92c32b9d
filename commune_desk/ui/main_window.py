"""The main window: a navigation list on the left, one page per area on the right.

Each area owns ``commune_desk/ui/pages/<key>.py`` with ``create_page(ctx, window)``;
pages are built the first time they are shown, so start-up stays fast. A role sees only
the areas it may use (the services check again).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from commune_desk.domain.roles import Perm, allowed
from commune_desk.i18n import N_, _
from commune_desk.services.context import Ctx, role_label


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    perm: Perm
    roles: tuple[str, ...] = ("commune", "hub")  # office roles that have this area


AREAS: tuple[Area, ...] = (
    Area("desk", N_("Tiếp nhận"), Perm.DESK, ("commune",)),
    Area("dossiers", N_("Hồ sơ"), Perm.DOSSIERS),
    Area("training", N_("Bồi dưỡng"), Perm.TRAINING),
    Area("sync", N_("Đồng bộ"), Perm.SYNC, ("commune",)),
    Area("hub", N_("Cấp trên"), Perm.HUB, ("hub",)),
    Area("reports", N_("Báo cáo"), Perm.REPORTS),
    Area("catalog", N_("Danh mục thủ tục"), Perm.DOSSIERS),
    Area("settings", N_("Cài đặt"), Perm.SETTINGS),
)


def visible_areas(ctx: Ctx) -> list[Area]:
    office = ctx.db.require_office()
    out = []
    for area in AREAS:
        if office.role not in area.roles:
            continue
        if area.key == "catalog":
            if not (allowed(ctx.actor.role, Perm.DOSSIERS) or allowed(ctx.actor.role, Perm.CATALOG_EDIT)):
                continue
        elif area.key == "settings":
            if not any(allowed(ctx.actor.role, p) for p in (Perm.SETTINGS, Perm.USERS, Perm.CALENDAR_EDIT,
                                                              Perm.BACKUP, Perm.AUDIT)):
                continue
        elif not allowed(ctx.actor.role, area.perm):
            continue
        out.append(area)
    return out


class MainWindow(QMainWindow):
    """Signals:
        data_changed(str): an area changed records of this kind ("dossier", "training", ...);
            pages that show them refresh.
    """

    data_changed = Signal(str)

    def __init__(self, ctx: Ctx) -> None:
        super().__init__()
        self.ctx = ctx
        office = ctx.db.require_office()
        self.setWindowTitle(f"commune_desk — {office.office_name}")
        self.setMinimumSize(QSize(1000, 640))
        self.resize(1366, 768)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget()
        self._pages: dict[str, QWidget] = {}
        self.areas = visible_areas(ctx)
        for index, area in enumerate(self.areas):
            item = QListWidgetItem(_(area.label))
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            item.setSizeHint(QSize(170, 36))
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())  # placeholder until first shown
            shortcut = QAction(self)
            shortcut.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            shortcut.triggered.connect(lambda _checked=False, i=index: self.nav.setCurrentRow(i))
            self.addAction(shortcut)
        self.nav.currentRowChanged.connect(self._show_area)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        who = QLabel(_("{name} — {role} · {office} ({code})").format(
            name=ctx.actor.full_name, role=role_label(ctx.actor.role),
            office=office.office_name, code=office.office_code))
        self.statusBar().addPermanentWidget(who)
        self._build_menu()
        if self.areas:
            self.nav.setCurrentRow(0)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(_("&Tệp"))
        quit_action = menu.addAction(_("Thoát"))
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.help_menu = self.menuBar().addMenu(_("&Trợ giúp"))
        try:
            from commune_desk.ui import help as help_ui

            help_ui.fill_menu(self, self.help_menu)
        except ImportError:
            pass

    def area_keys(self) -> list[str]:
        return [a.key for a in self.areas]

    def page(self, key: str) -> QWidget:
        """The page of an area, built on first use."""
        if key not in self._pages:
            index = self.area_keys().index(key)
            module = importlib.import_module(f"commune_desk.ui.pages.{key}")
            page = module.create_page(self.ctx, self)
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(index, page)
            self._pages[key] = page
        return self._pages[key]

    def show_area(self, key: str) -> QWidget:
        self.nav.setCurrentRow(self.area_keys().index(key))
        return self.page(key)

    def _show_area(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(self.areas[row].key)
        self.stack.setCurrentWidget(page)
        self.statusBar().showMessage(_(self.areas[row].label), 2000)
