"""The intake window's "Xã/phường giải quyết": the province's other communes (loaded off the
UI thread), saved on the dossier, kept in a draft, reset by "clear"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from ui_helpers import open_window

from commune_desk.ui.tasks import wait_idle


@pytest.fixture
def intake_form(qtbot, clerk_ctx):
    widget = open_window(qtbot, clerk_ctx).show_area("desk").intake
    qtbot.waitUntil(lambda: widget.rules is not None and widget.competent_combo.count() > 1, timeout=10000)
    yield widget
    wait_idle()


def test_intake_offers_the_provinces_communes_and_keeps_the_choice(intake_form):
    combo = intake_form.competent_combo
    assert combo.itemText(0) == "Đơn vị này" and combo.itemData(0) == ""
    codes = [combo.itemData(i) for i in range(1, combo.count())]
    assert "00922" in codes and "00919" not in codes, "the province's other communes, not this one"
    assert "00004" not in codes, "no commune of another province"
    intake_form.window().grab().save("/tmp/relay_intake.png")
    combo.setCurrentIndex(combo.findData("00922"))
    assert intake_form.collect()[0].competent_office_code == "00922"
    assert intake_form.payload()["competent_office_code"] == "00922"
    intake_form.apply_payload({**intake_form.payload(), "competent_office_code": "00925"}, None)
    assert combo.currentData() == "00925"
    intake_form.clear_form()
    QApplication.processEvents()
    assert combo.currentData() == ""
