"""The Settings area: one tab per module, each imported lazily and shown to the roles that
may use it. Other areas add a tab by adding a line to ``TABS``; a module that does not exist
(yet) is skipped, so the window always opens."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from commune_desk.domain.roles import Perm, allowed
from commune_desk.i18n import N_, _
from commune_desk.services.context import Ctx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SettingsTab:
    module: str      # exposes create_tab(ctx, window) -> QWidget
    label: str       # N_() source text
    perm: Perm
    key: str


TABS: tuple[SettingsTab, ...] = (
    SettingsTab("commune_desk.ui.settings_office", N_("Đơn vị"), Perm.SETTINGS, "office"),
    SettingsTab("commune_desk.ui.settings_accounts", N_("Tài khoản"), Perm.USERS, "accounts"),
    SettingsTab("commune_desk.ui.settings_calendar", N_("Lịch làm việc"), Perm.CALENDAR_EDIT, "calendar"),
    SettingsTab("commune_desk.ui.settings_backup", N_("Sao lưu"), Perm.BACKUP, "backup"),
    SettingsTab("commune_desk.ui.settings_audit", N_("Nhật ký"), Perm.AUDIT, "audit"),
    SettingsTab("commune_desk.ui.settings_privacy", N_("Dữ liệu cá nhân"), Perm.ANONYMISE, "privacy"),
)


def visible_tabs(ctx: Ctx) -> list[SettingsTab]:
    """The tabs this user's role may use."""
    return [t for t in TABS if allowed(ctx.actor.role, t.perm)]


class SettingsPage(QWidget):
    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.keys: list[str] = []
        for tab in visible_tabs(ctx):
            try:
                module = importlib.import_module(tab.module)
            except ModuleNotFoundError as exc:
                if exc.name != tab.module:   # the module exists but is broken: that is a bug
                    raise
                log.info("settings tab %s not installed", tab.module)
                continue
            self.tabs.addTab(module.create_tab(ctx, window), _(tab.label))
            self.keys.append(tab.key)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        if self.keys:
            layout.addWidget(self.tabs)
        else:
            layout.addWidget(QLabel(_("Tài khoản này không có phần cài đặt nào.")))

    def tab_labels(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def show_tab(self, key: str) -> QWidget:
        index = self.keys.index(key)
        self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)


def create_page(ctx: Ctx, window) -> QWidget:
    return SettingsPage(ctx, window)
