"""Help menu: the user guide and the About window (version, schema, data folder)."""

from __future__ import annotations

from commune_desk import __version__
from commune_desk.domain.roles import Role
from commune_desk.services.context import Actor, Ctx
from commune_desk.store import migrate
from commune_desk.ui.about import AboutDialog, schema_versions
from commune_desk.ui.help import GuideDialog
from commune_desk.ui.main_window import MainWindow


def test_about_shows_version_schema_and_data_folder(qtbot, db):
    versions = schema_versions(db)
    assert versions == (migrate.head_revision(), migrate.head_revision())
    dialog = AboutDialog(db, versions)
    qtbot.addWidget(dialog)
    assert dialog.version_label.text() == __version__
    assert migrate.head_revision() in dialog.schema_label.text()
    assert dialog.folder_label.text() == str(db.data_dir)


def test_guide_covers_the_tasks_in_vietnamese(qtbot):
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    for task in ("Tiếp nhận một hồ sơ", "In một biểu mẫu", "trễ hạn", "Điểm danh", "USB",
                 "Nhập gói", "Khôi phục bản sao lưu"):
        assert task in text


def test_help_menu_is_in_the_main_window(qtbot, db):
    window = MainWindow(Ctx(db, Actor(None, "admin", "Quản Trị Viên", Role.ADMIN)))
    qtbot.addWidget(window)
    labels = [a.text() for a in window.help_menu.actions()]
    assert "Hướng dẫn sử dụng" in labels and "Giới thiệu commune_desk" in labels
