"""Driving the intake window with Vietnamese input (setText + signals: keyClicks aborts on
non-ASCII), then checking the saved dossier and its receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import func, select
from ui_helpers import open_window

from commune_desk.domain.calendar import to_local
from commune_desk.services import intake
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier
from commune_desk.ui.desk_intake import IntakeWidget
from commune_desk.ui.pdf_preview import PdfPreviewDialog
from commune_desk.ui.tasks import wait_idle


def settle(qtbot, ms: int = 50) -> None:
    wait_idle()
    qtbot.wait(ms)


@pytest.fixture
def window(qtbot, clerk_ctx):
    yield open_window(qtbot, clerk_ctx)
    wait_idle()


@pytest.fixture
def form(qtbot, window) -> IntakeWidget:
    page = window.show_area("desk")
    widget = page.intake
    qtbot.waitUntil(lambda: widget.rules is not None and bool(widget.picker.choices), timeout=10000)
    return widget


def type_into(edit, text: str) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)
    edit.editingFinished.emit()


def pick(qtbot, form: IntakeWidget, text: str) -> None:
    type_into(form.picker, text)
    qtbot.keyClick(form.picker.completer_.popup(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.procedure is not None, timeout=3000)


def fill_applicant(form: IntakeWidget) -> None:
    type_into(form.name_edit, "Nguyễn Thị Đào")
    type_into(form.id_edit, "001190012345")
    type_into(form.dob_edit, "17/05/1990")
    type_into(form.phone_edit, "0912 345 678")
    type_into(form.email_edit, "dao.nguyen@example.com")
    type_into(form.address_edit, "Thôn Đồng Tâm, xã Minh Tân, tỉnh Tuyên Quang")


def dossier_count(ctx) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count(Dossier.id)))


def test_the_picker_finds_procedures_with_or_without_diacritics(qtbot, form):
    for text in ("kết hôn", "ket hon", "1.000894"):
        type_into(form.picker, text)
        assert form.picker.model.stringList()[0].startswith("1.000894 — ")
    pick(qtbot, form, "ket hon")
    assert form.procedure.code == "1.000894"
    assert form.docs.rowCount() == len(form.procedure.documents)
    assert "Hẹn trả kết quả: 17:00" in form.appointment.text()


def test_receive_a_dossier_and_get_its_receipt(qtbot, window, form, clerk_ctx):
    pick(qtbot, form, "đăng ký lại kết hôn")
    assert form.procedure.code == "1.004746"
    fill_applicant(form)
    form.tick_all_documents()
    form.fees.item(0, 1).setText("15.000")
    assert "15.000 đồng" in form.fee_total.text()
    expected_due = intake.preview_appointment(form.rules, form.procedure, to_local(utcnow()))
    assert expected_due.strftime("%d/%m/%Y") in form.appointment.text()

    with qtbot.waitSignal(window.data_changed, timeout=15000) as changed:
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert changed.args == ["dossier"]
    qtbot.waitUntil(lambda: form.preview is not None, timeout=10000)
    saved = form.last_saved
    with clerk_ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == saved.code))
        assert d.applicant_name == "Nguyễn Thị Đào" and d.applicant_phone == "0912345678"
        assert d.applicant_dob == dt.date(1990, 5, 17) and d.fee_vnd == 15000 and d.status == "received"
        assert to_local(d.due_at) == expected_due
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(form.last_pdf)).pages]
    assert len(pages) == 2 and all(saved.code in p and "Bà Nguyễn Thị Đào" in p for p in pages)
    assert form.preview.pdf_path == form.last_pdf and form.preview.page_count() == 2
    # the form is ready for the next citizen
    assert form.name_edit.text() == "" and form.procedure is None and saved.code in form.notice.text()
    form.preview.close()


def test_bad_input_shows_messages_next_to_the_fields_and_saves_nothing(qtbot, form, clerk_ctx):
    pick(qtbot, form, "1.004746")
    fill_applicant(form)
    type_into(form.id_edit, "099190012345")
    type_into(form.phone_edit, "09123x5678")
    type_into(form.dob_edit, (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y"))
    assert "099" in form.errors["id_number"].text()
    assert form.errors["phone"].text() == "Số điện thoại chỉ gồm chữ số."
    assert "sau ngày hôm nay" in form.errors["dob"].text()
    form.tick_all_documents()
    form.save_and_print()
    settle(qtbot)
    assert dossier_count(clerk_ctx) == 0 and form.last_saved is None
    type_into(form.id_edit, "00119001234")
    assert "12 chữ số" in form.errors["id_number"].text()


def test_an_incomplete_checklist_asks_for_a_supplement_or_a_draft(qtbot, form, clerk_ctx):
    pick(qtbot, form, "1.004746")
    fill_applicant(form)
    form.docs.item(0, 0).setCheckState(Qt.CheckState.Checked)  # the others are missing
    form.save_and_print()
    settle(qtbot)
    message = form.errors["documents"].text()
    assert "bổ sung" in message and "nháp" in message
    assert dossier_count(clerk_ctx) == 0


def test_a_returning_citizen_fills_the_form(qtbot, form, clerk_ctx):
    proc = intake.procedure_by_code(clerk_ctx, "2.000815")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    intake.receive_dossier(clerk_ctx, intake.IntakeForm(
        procedure_code=proc.code, name="Hoàng Văn Đức", id_number="008085001234", dob=dt.date(1985, 3, 1),
        phone="0987654321", address="Xóm Đồng Chằm, xã Minh Tân", documents=lines))
    type_into(form.id_edit, "008085001234")
    qtbot.waitUntil(lambda: form.name_edit.text() == "Hoàng Văn Đức", timeout=5000)
    assert form.address_edit.text() == "Xóm Đồng Chằm, xã Minh Tân"
    assert form.dob_edit.text() == "01/03/1985" and form.phone_edit.text() == "0987654321"
    assert "đã từng nộp hồ sơ" in form.notice.text()


def test_a_draft_is_autosaved_and_recovered(qtbot, window, form, clerk_ctx):
    pick(qtbot, form, "1.004746")
    type_into(form.name_edit, "Phạm Thị Ánh")
    form.docs.item(1, 0).setCheckState(Qt.CheckState.Checked)
    form.autosave_now()  # what the 1.5 s timer does
    settle(qtbot)
    drafts = intake.load_drafts(clerk_ctx)
    assert [d.payload["name"] for d in drafts] == ["Phạm Thị Ánh"]
    # the window closed unexpectedly: a new intake form opens the draft again
    again = IntakeWidget(clerk_ctx, window)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.name_edit.text() == "Phạm Thị Ánh", timeout=5000)
    assert again.procedure.code == "1.004746"
    assert [line.received for line in again.document_lines()][:2] == [False, True]
    assert "đang nhập dở" in again.notice.text()


def test_the_preview_prints_the_same_pages(qtbot, form, tmp_path):
    pick(qtbot, form, "1.004746")
    fill_applicant(form)
    form.tick_all_documents()
    form.save_and_print()
    qtbot.waitUntil(lambda: form.preview is not None, timeout=15000)
    preview: PdfPreviewDialog = form.preview
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    done: list[int] = []
    preview.print_to(printer, done.append)
    qtbot.waitUntil(lambda: done == [2], timeout=15000)
    printed = PdfReader(str(tmp_path / "printed.pdf"))
    assert len(printed.pages) == 2
    assert [round(float(v)) for v in printed.pages[0].mediabox[2:]] == [420, 595]
    preview.save_to(tmp_path / "copy.pdf")
    qtbot.waitUntil(lambda: (tmp_path / "copy.pdf").exists(), timeout=5000)
    assert (tmp_path / "copy.pdf").read_bytes() == form.last_pdf.read_bytes()
    preview.close()
