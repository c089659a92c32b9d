"""A clerk takes a dossier from received to returned through the action panel, printing the
forms along the way; bad input stays in the dialog with its message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lifecycle_support import make_dossier
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from commune_desk.domain.calendar import to_local
from commune_desk.services import lifecycle as lc
from commune_desk.services.calendar import load_calendar
from commune_desk.store.base import utcnow
from commune_desk.ui.dossier_actions import ActionPanel
from commune_desk.ui.tasks import wait_idle


def settle(qtbot, rounds: int = 6) -> None:
    for _i in range(rounds):
        wait_idle()
        qtbot.wait(15)
        QApplication.processEvents()


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages)


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot)


def submit(qtbot, panel, **values):
    dialog = panel.dialog
    for key, value in values.items():
        dialog.set_value(key, value)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    return dialog


def take_preview(panel, title_part: str) -> str:
    preview = panel.preview
    assert preview is not None and preview.isVisible()
    assert preview.page_count() >= 1
    text = pdf_text(preview.pdf_path)
    assert title_part in text
    preview.close()
    panel.preview = None
    return text


@pytest.fixture
def panel(qtbot, clerk_ctx, db):
    dossier_id = make_dossier(db, utcnow() - timedelta(hours=1))
    widget = ActionPanel(clerk_ctx, dossier_id)
    qtbot.addWidget(widget)
    widget.resize(900, 160)
    widget.show()
    settle(qtbot)
    return widget


def test_clerk_takes_a_dossier_from_received_to_returned(qtbot, panel, clerk_ctx, db):
    assert set(panel.buttons) == {"assign", "extend", "request_withdrawal", "stop", "refuse", "rate"}
    assert "return_result" not in panel.buttons   # no result yet: the button is not offered

    click(qtbot, panel.buttons["assign"])
    submit(qtbot, panel, to_name="Hoàng Văn Hộ", note="Thẩm định hồ sơ")
    assert panel.dialog is None and panel.card.status == "processing"
    text = take_preview(panel, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    assert "2. Nhận: Hoàng Văn Hộ" in text

    click(qtbot, panel.buttons["request_supplement"])
    dialog = submit(qtbot, panel, items=["Bản sao giấy tờ chứng minh điều kiện giám hộ"], reason="")
    assert dialog.isVisible() and "Lý do" in dialog.error_text()       # nothing saved, the dialog stays
    assert lc.card(clerk_ctx, panel.dossier_id).status == "processing"
    submit(qtbot, panel, reason="Thiếu giấy tờ chứng minh điều kiện giám hộ")
    assert not dialog.isVisible() and panel.card.status == "supplement_requested"
    take_preview(panel, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    assert "request_supplement" not in panel.buttons

    click(qtbot, panel.buttons["receive_supplement"])
    submit(qtbot, panel, documents=["Giấy xác nhận điều kiện giám hộ"])
    assert panel.card.status == "processing" and panel.preview is None
    assert not panel.buttons["request_supplement"].isEnabled()        # only one supplement request
    assert "1 lần" in panel.buttons["request_supplement"].toolTip()

    due = to_local(panel.card.due_at).date()
    new_due = load_calendar(db).add_working_days(due, 5)
    click(qtbot, panel.buttons["extend"])
    submit(qtbot, panel, reason="Cần xác minh tại nơi cư trú", new_due=new_due, signer_name="Trần Văn Chủ")
    assert to_local(panel.card.due_at).date() == new_due
    take_preview(panel, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT")
    assert not panel.buttons["extend"].isEnabled()                     # at most one extension

    click(qtbot, panel.buttons["result_ready"])
    submit(qtbot, panel, result_number="21/QĐ-UBND", signer_name="Trần Văn Chủ")
    assert panel.card.status == "result_ready" and panel.card.outcome == "early"
    take_preview(panel, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")

    with qtbot.waitSignal(panel.changed, timeout=5000):
        click(qtbot, panel.buttons["return_result"])
        submit(qtbot, panel)
    settle(qtbot)
    assert panel.card.status == "returned"
    assert set(panel.buttons) == {"rate"}

    click(qtbot, panel.buttons["rate"])
    panel.dialog.set_score("a", 2)
    panel.dialog.set_score("dd", 2)
    qtbot.mouseClick(panel.dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert panel.card.rated and not panel.buttons["rate"].isEnabled()

    kinds = [a.data() for a in panel.print_menu.actions()]
    assert kinds == ["control", "supplement", "apology", "rating-sheet"]
    panel.print_menu.actions()[-1].trigger()
    settle(qtbot)
    take_preview(panel, "PHIẾU ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
    steps = [e.kind for e in lc.history(clerk_ctx, panel.dossier_id)]
    assert steps == ["received", "assign", "request_supplement", "receive_supplement", "extend", "result_ready",
                     "return_result", "rate"]


def test_refusal_without_reason_stays_in_the_dialog(qtbot, panel, clerk_ctx):
    click(qtbot, panel.buttons["refuse"])
    dialog = submit(qtbot, panel, reason="   ")
    assert dialog.isVisible() and "Lý do" in dialog.error_text()
    assert lc.card(clerk_ctx, panel.dossier_id).status == "received"
    submit(qtbot, panel, reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã")
    assert panel.card.status == "refused"
    take_preview(panel, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    assert set(panel.buttons) == {"rate"}
