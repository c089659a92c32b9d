"""Shared fixtures. The window runs offscreen; every database test gets a real SQLite file
copied from a template migrated once per session (Anki's getEmptyCol habit)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("COMMUNE_DESK_LANG", "vi")

import pytest  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.i18n import set_language  # noqa: E402
from commune_desk.paths import DB_FILENAME  # noqa: E402
from commune_desk.services.context import Actor, Ctx, Database  # noqa: E402

ADMIN_PASSWORD = "matkhau-123"


@pytest.fixture(autouse=True)
def _vietnamese():
    set_language("vi")
    yield
    set_language("vi")


@pytest.fixture(scope="session", autouse=True)
def _gc_on_gui_thread():
    """As in the application: cycles are collected on the GUI thread only (never inside a
    background task, where finalising a Qt object can crash the process)."""
    from PySide6.QtWidgets import QApplication

    from commune_desk.ui.gc_on_gui_thread import install

    app = QApplication.instance() or QApplication([])
    timer = install(app)
    yield
    timer.stop()


@pytest.fixture(autouse=True)
def _collect_between_tests():
    yield
    from commune_desk.ui.gc_on_gui_thread import collect_due

    collect_due()


def _make_template(folder: Path, role: str, code: str, name: str) -> Path:
    from commune_desk.services.office import SetupRequest, setup_office

    db = Database.open(folder)
    setup_office(db, SetupRequest(role=role, office_code=code, office_name=name,
                                  hub_name="UBND tỉnh Tuyên Quang" if role == "commune" else None,
                                  unit_id="000.00.19.H56" if role == "commune" else None,
                                  admin_username="admin", admin_full_name="Quản Trị Viên",
                                  admin_password=ADMIN_PASSWORD))
    db.close()
    return folder / DB_FILENAME


@pytest.fixture(scope="session")
def commune_template(tmp_path_factory) -> Path:
    return _make_template(tmp_path_factory.mktemp("tpl-commune"), "commune", "00919", "Xã Minh Tân")


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory) -> Path:
    return _make_template(tmp_path_factory.mktemp("tpl-hub"), "hub", "08", "UBND tỉnh Tuyên Quang")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def commune_dir(tmp_path, commune_template) -> Path:
    folder = tmp_path / "commune"
    folder.mkdir()
    shutil.copy(commune_template, folder / DB_FILENAME)
    return folder


@pytest.fixture
def hub_dir(tmp_path, hub_template) -> Path:
    folder = tmp_path / "hub"
    folder.mkdir()
    shutil.copy(hub_template, folder / DB_FILENAME)
    return folder


@pytest.fixture
def db(commune_dir):
    database = Database.open(commune_dir)
    yield database
    database.close()


@pytest.fixture
def hub_db(hub_dir):
    database = Database.open(hub_dir)
    yield database
    database.close()


def actor(role: Role, username: str | None = None) -> Actor:
    return Actor(None, username or role.value, f"Người dùng {role.value}", role)


@pytest.fixture
def admin_ctx(db) -> Ctx:
    return Ctx(db, actor(Role.ADMIN, "admin"))


@pytest.fixture
def clerk_ctx(db) -> Ctx:
    return Ctx(db, actor(Role.CLERK, "canbo"))


@pytest.fixture
def trainer_ctx(db) -> Ctx:
    return Ctx(db, actor(Role.TRAINER, "giangvien"))


from hypothesis import HealthCheck, settings  # noqa: E402

# CI runs the same examples every time (a red CI should mean a real bug, reproducibly).
settings.register_profile("ci", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
