"""Exports of personal data in clear ask first (issue 8): the staff list to Excel shows the
warning, "Hủy" is the default (Enter writes nothing, nothing is audited); "Vẫn ghi tệp" writes
the file and the export is an audit entry."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import select
from training_data import add_staff
from ui_helpers import open_window, settle

from commune_desk.domain.roles import Role
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import AuditEntry


def answer_warning(seen: list[str], button: str | None) -> None:
    """When the warning is up: remember its text, then press Enter (None) or click ``button``."""
    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "personal_data_warning":
            QTimer.singleShot(20, act)
            return
        seen.append(box.text())
        if button is None:
            box.defaultButton().click()  # what Enter does
        else:
            box.findChild(QPushButton, button).click()
    QTimer.singleShot(0, act)


def exports(db) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "export")))


@pytest.fixture
def staff_page(qtbot, db, monkeypatch):
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    trainer = Ctx(db, Actor(uuid.uuid4(), "giangvien", "Lê Thị Giảng", Role.TRAINER))
    add_staff(trainer, 3)
    training = open_window(qtbot, trainer).show_area("training")
    settle(qtbot)
    yield training.staff
    settle(qtbot)


def test_the_staff_export_warns_and_cancel_is_the_default(qtbot, db, staff_page, tmp_path):
    (tmp_path / "usb").mkdir()
    target = tmp_path / "usb" / "can-bo.xlsx"
    seen: list[str] = []
    answer_warning(seen, None)
    staff_page.export_file(target)
    settle(qtbot)
    qtbot.wait(200)
    assert seen and "dữ liệu cá nhân" in seen[0] and "không mã hoá" in seen[0] and "nơi an toàn" in seen[0]
    assert str(target) in seen[0]
    assert not list((tmp_path / "usb").iterdir())   # nothing written
    assert exports(db) == []                                       # nor audited

    answer_warning(seen, "personal_data_write")
    staff_page.export_file(target)
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    settle(qtbot)
    entry = exports(db)[-1]
    assert entry.actor == "giangvien" and entry.details == {"what": "staff", "rows": 3}


def test_escape_also_cancels(qtbot, db, staff_page, tmp_path):
    target = tmp_path / "can-bo.xlsx"

    def press_escape() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press_escape)
            return
        qtbot.keyClick(box, Qt.Key.Key_Escape)
    QTimer.singleShot(0, press_escape)
    staff_page.export_file(target)
    settle(qtbot)
    assert not target.exists() and exports(db) == []


def test_saving_a_copy_of_a_printed_form_warns_and_is_audited(qtbot, db, clerk_ctx, monkeypatch, tmp_path):
    """The preview's "Lưu thành tệp…": a receipt names the citizen, so the same question comes
    first; a copy is written only on "Vẫn ghi tệp", whole, and audited under its file name."""
    from commune_desk.services import intake
    from commune_desk.ui.pdf_preview import PdfPreviewDialog

    proc = intake.procedure_by_code(clerk_ctx, "1.004746")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    saved = intake.receive_and_print(clerk_ctx, intake.IntakeForm(
        procedure_code=proc.code, name="Nguyễn Thị Đào", id_number="001190012345", phone="0912345678",
        address="Thôn Đồng Tâm, xã Minh Tân",
        documents=lines), tmp_path / "print")
    preview = PdfPreviewDialog(saved.pdf, None, ctx=clerk_ctx)
    qtbot.addWidget(preview)
    (tmp_path / "usb").mkdir()
    target = tmp_path / "usb" / "giay-hen.pdf"
    monkeypatch.setattr("commune_desk.ui.pdf_preview.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    seen: list[str] = []
    answer_warning(seen, None)
    preview.save_as()
    settle(qtbot)
    assert seen and str(target) in seen[0] and "họ tên" in seen[0]
    assert not list((tmp_path / "usb").iterdir()) and exports(db) == []

    answer_warning(seen, "personal_data_write")
    preview.save_as()
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    settle(qtbot)
    assert target.read_bytes() == saved.pdf.read_bytes()
    assert [p.name for p in (tmp_path / "usb").iterdir()] == ["giay-hen.pdf"]  # no temporary file left
    entry = exports(db)[-1]
    assert entry.target == "giay-hen.pdf" and entry.details == {"what": "pdf", "source": saved.pdf.name}
    assert entry.actor == clerk_ctx.actor.username
