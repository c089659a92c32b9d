"""Each role sees only the parts of the window it may use; the services refuse the rest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commune_desk.domain.roles import Role
from commune_desk.errors import PermissionDenied
from commune_desk.services import catalog
from commune_desk.services.context import Actor, Ctx
from commune_desk.ui.main_window import MainWindow, visible_areas
from commune_desk.ui.pages import settings as settings_page
from commune_desk.ui.tasks import wait_idle


def ctx_for(db, role: Role) -> Ctx:
    return Ctx(db, Actor(None, role.value, f"Người dùng {role.value}", role))


def test_a_trainer_sees_only_training(db):
    assert [a.key for a in visible_areas(ctx_for(db, Role.TRAINER))] == ["training"]


def test_a_clerk_sees_the_desk_and_the_catalog_but_not_settings(db):
    keys = [a.key for a in visible_areas(ctx_for(db, Role.CLERK))]
    assert {"desk", "dossiers", "catalog"} <= set(keys)
    assert "settings" not in keys
    assert "accounts" not in [t.key for t in settings_page.visible_tabs(ctx_for(db, Role.CLERK))]


def test_a_leader_gets_settings_without_accounts(qtbot, db):
    window = MainWindow(ctx_for(db, Role.LEADER))
    qtbot.addWidget(window)
    page = window.show_area("settings")
    assert "accounts" not in page.keys and "office" not in page.keys
    assert "calendar" in page.keys
    assert "Tài khoản" not in page.tab_labels()
    wait_idle()


def test_an_administrator_gets_every_foundation_tab(qtbot, db):
    window = MainWindow(ctx_for(db, Role.ADMIN))
    qtbot.addWidget(window)
    page = window.show_area("settings")
    assert page.keys[:3] == ["office", "accounts", "calendar"]
    assert page.tab_labels()[:3] == ["Đơn vị", "Tài khoản", "Lịch làm việc"]
    wait_idle()


def test_settings_skip_tabs_whose_module_is_not_there(qtbot, db, monkeypatch):
    monkeypatch.setattr(settings_page, "TABS", (
        settings_page.SettingsTab("commune_desk.ui.no_such_tab", "Không có", settings_page.Perm.SETTINGS, "x"),
        *settings_page.TABS[2:3]))
    page = settings_page.SettingsPage(ctx_for(db, Role.ADMIN), None)
    qtbot.addWidget(page)
    assert page.keys == ["calendar"]
    wait_idle()


def test_a_trainer_calling_catalog_edit_is_refused(db):
    trainer = ctx_for(db, Role.TRAINER)
    birth = catalog.get_procedure(trainer, "1.001193")
    with pytest.raises(PermissionDenied, match="không có quyền"):
        catalog.save_procedure(trainer, replace(birth, name="Sửa trái phép"), birth.id)
    assert catalog.get_procedure(trainer, "1.001193").name == birth.name
