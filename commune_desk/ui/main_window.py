"""The main window: a navigation list on the left, one page per area on the right.

Each area owns ``commune_desk/ui/pages/<key>.py`` with ``create_page(ctx, window)``;
pages are built the first time they are shown, so start-up stays fast. A role sees only
the areas it may use (the services check again).

Start-up shows the window before the database is open: ``MainWindow()`` is a light shell
(title, the navigation column, "Đang mở cơ sở dữ liệu…"); :meth:`MainWindow.attach` fills
it once someone has signed in (``ui/app.py``). ``MainWindow(ctx)`` does both at once.
Nothing here imports SQLAlchemy or the services at module level (checked by
``python -X importtime``): the shell must not wait for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

# ``Qt`` (the namespace of enums) is imported where it is used, after the shell is shown:
# PySide6 builds it on first use, which costs more than the whole empty window.
from PySide6.QtCore import QEvent, QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from commune_desk.domain.roles import Perm, allowed
from commune_desk.i18n import N_, _

if TYPE_CHECKING:
    from commune_desk.services.context import Ctx


class Area(NamedTuple):
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
        first_painted(): the window has been painted once (emitted just after that paint);
            start-up begins its slower work then.
    """

    data_changed = Signal(str)
    first_painted = Signal()

    def __init__(self, ctx: Ctx | None = None, *, first_area: str | None = None) -> None:
        super().__init__()
        self.ctx: Ctx | None = None
        self.areas: list[Area] = []
        self._pages: dict[str, QWidget] = {}
        self._painted = False
        self.setWindowTitle("commune_desk")
        self.setMinimumSize(QSize(1000, 640))
        self.resize(1366, 768)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.waiting = QLabel(_("Đang mở cơ sở dữ liệu…"))  # the shell's page until someone signs in
        self.waiting.setObjectName("waiting")
        self.waiting.setStyleSheet("color: #666;")
        self._waiting_page = QWidget()
        centred = QHBoxLayout()  # stretches centre the label (no alignment flag: see the import of Qt)
        centred.addStretch(1)
        centred.addWidget(self.waiting)
        centred.addStretch(1)
        column = QVBoxLayout(self._waiting_page)
        column.addStretch(1)
        column.addLayout(centred)
        column.addStretch(1)
        self.stack.addWidget(self._waiting_page)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(_("Đang mở cơ sở dữ liệu…"))
        self._build_menu()
        if ctx is not None:
            self.attach(ctx, first_area=first_area)

    def set_waiting(self, text: str) -> None:
        """What the shell is doing before someone has signed in (also on the status line)."""
        self.waiting.setText(text)
        self.statusBar().showMessage(text)

    def attach(self, ctx: Ctx, *, first_area: str | None = None) -> None:
        """Fill the shell for the person who signed in; the first page shown (``first_area``
        when that role has it, else the first area) is the only one built now."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QKeySequence

        from commune_desk.services.context import role_label

        self.ctx = ctx
        office = ctx.db.require_office()
        self.setWindowTitle(f"commune_desk — {office.office_name}")
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
        self.stack.removeWidget(self._waiting_page)
        self._waiting_page.deleteLater()
        self.nav.currentRowChanged.connect(self._show_area)

        who = QLabel(_("{name} — {role} · {office} ({code})").format(
            name=ctx.actor.full_name, role=role_label(ctx.actor.role),
            office=office.office_name, code=office.office_code))
        who.setObjectName("who")
        self.statusBar().clearMessage()
        self.statusBar().addPermanentWidget(who)
        self._set_quit_shortcut()
        self._fill_help_menu()
        if self.areas:
            keys = self.area_keys()
            self.nav.setCurrentRow(keys.index(first_area) if first_area in keys else 0)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(_("&Tệp"))
        self.quit_action = menu.addAction(_("Thoát"))
        self.quit_action.triggered.connect(self.close)
        # the first standard shortcut makes PySide6 build its Qt enums (slow): just after the
        # shell is shown, then
        self.first_painted.connect(self._set_quit_shortcut)
        self.help_menu = self.menuBar().addMenu(_("&Trợ giúp"))
        self.help_menu.setEnabled(False)  # filled at sign-in: "Giới thiệu" reads the database

    def event(self, event: QEvent) -> bool:
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # after this paint, not inside it
        return super().event(event)

    def _set_quit_shortcut(self) -> None:
        from PySide6.QtGui import QKeySequence

        if isValid(self.quit_action):
            self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)

    def _fill_help_menu(self) -> None:
        try:
            from commune_desk.ui import help as help_ui

            help_ui.fill_menu(self, self.help_menu)
        except ImportError:
            pass
        self.help_menu.setEnabled(True)

    def area_keys(self) -> list[str]:
        return [a.key for a in self.areas]

    def page(self, key: str) -> QWidget:
        """The page of an area, built on first use."""
        if self.ctx is None:
            raise RuntimeError("no one has signed in yet")
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
