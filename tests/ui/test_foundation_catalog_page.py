"""The catalog window: folded search, editing with its documents and fees, read-only roles."""

from __future__ import annotations

import pytest

from commune_desk.domain.roles import Role
from commune_desk.services import catalog
from commune_desk.services.context import Actor, Ctx
from commune_desk.ui.pages.catalog import CatalogPage
from commune_desk.ui.tasks import wait_idle


class FakeWindow:
    """Stands in for MainWindow: only the data_changed signal is used."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Signal

        class Hub(QObject):
            data_changed = Signal(str)

        self._hub = Hub()
        self.data_changed = self._hub.data_changed


@pytest.fixture
def page_for(qtbot, db):
    pages = []

    def make(role: Role) -> CatalogPage:
        page = CatalogPage(Ctx(db, Actor(None, role.value, "Người dùng", role)), FakeWindow())
        qtbot.addWidget(page)
        page.resize(1176, 700)
        page.show()
        qtbot.waitUntil(lambda: len(page.rows) >= 30, timeout=10000)
        pages.append(page)
        return page

    yield make
    wait_idle()


def test_search_without_diacritics(qtbot, page_for):
    page = page_for(Role.CLERK)
    page.search.setText("chung thuc chu ky")
    qtbot.waitUntil(lambda: page.rows and all("Chứng thực chữ ký" in p.name for p in page.rows), timeout=5000)
    assert page.table.rowCount() == len(page.rows) >= 2
    page.search.setText("2.000815")
    qtbot.waitUntil(lambda: [p.code for p in page.rows] == ["2.000815"], timeout=5000)
    assert page.editor.code.text() == "2.000815"


def test_a_clerk_reads_but_cannot_edit(page_for):
    page = page_for(Role.CLERK)
    assert not page.save_button.isVisible() and not page.new_button.isVisible()
    assert page.editor.code.isReadOnly() and not page.editor.time_kind.isEnabled()
    assert page.export_button.isVisible()


def test_an_administrator_edits_time_documents_and_fees(qtbot, page_for, admin_ctx):
    page = page_for(Role.ADMIN)
    page.select_code("1.004884")
    assert page.editor.code.text() == "1.004884"
    page.editor.time_value.setValue(6)
    docs_before = page.editor.documents.rowCount()
    page.editor.documents.add_document({"name": "Giấy xác nhận của Công an xã", "form": "bản sao", "count": 2,
                                        "required": False, "note": "Nếu có"})
    page.editor.fees.add_fee({"name": "Phí cấp bản sao", "amount_vnd": 8000, "note": None})
    page.editor.fees.item(page.editor.fees.rowCount() - 1, 1).setText("8.000")
    page.save_button.click()
    qtbot.waitUntil(lambda: "Đã lưu" in page.message.text(), timeout=10000)
    saved = catalog.get_procedure(admin_ctx, "1.004884")
    assert saved.time_value == 6
    assert len(saved.documents) == docs_before + 1
    assert saved.documents[-1] == {"name": "Giấy xác nhận của Công an xã", "form": "bản sao", "count": 2,
                                   "required": False, "note": "Nếu có"}
    assert saved.fees[-1] == {"name": "Phí cấp bản sao", "amount_vnd": 8000, "note": None}


def test_bad_edits_are_shown_next_to_the_field(qtbot, page_for, admin_ctx):
    page = page_for(Role.ADMIN)
    page.select_code("1.001193")
    page.editor.code.setText("1.1193")
    page.editor.fees.item(0, 1).setText("mười nghìn")
    page.save_button.click()
    assert "mười nghìn" in page.editor.errors.text("fees")
    page.editor.fees.item(0, 1).setText("0")
    page.save_button.click()
    qtbot.waitUntil(lambda: bool(page.editor.errors.text("code")), timeout=10000)
    assert "sai dạng" in page.editor.errors.text("code")
    assert catalog.get_procedure(admin_ctx, "1.001193").code == "1.001193"


def test_a_new_procedure(qtbot, page_for, admin_ctx):
    page = page_for(Role.ADMIN)
    page.new_button.click()
    page.editor.code.setText("1.555555")
    page.editor.name.setPlainText("Thủ tục xác nhận thử nghiệm")
    page.editor.field.setCurrentText("Hộ tịch")
    page.editor.time_kind.setCurrentIndex(page.editor.time_kind.findData("calendar_days"))
    page.editor.time_value.setValue(10)
    page.save_button.click()
    qtbot.waitUntil(lambda: any(p.code == "1.555555" for p in page.rows), timeout=10000)
    made = catalog.get_procedure(admin_ctx, "1.555555")
    assert (made.time_kind, made.time_value, made.field) == ("calendar_days", 10, "Hộ tịch")


def test_import_and_export_from_the_page(qtbot, page_for, tmp_path):
    page = page_for(Role.ADMIN)
    out = tmp_path / "danhmuc.xlsx"
    page.export_path(out)
    qtbot.waitUntil(lambda: out.exists() and "Đã xuất" in page.message.text(), timeout=10000)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,field,time_kind,time_value\n1.001193,Khai sinh,Hộ tịch,same_day,\n"
                   "1.004884,Đăng ký lại khai sinh,Hộ tịch,working_days,-1\n", encoding="utf-8")
    page.import_path(bad)
    qtbot.waitUntil(lambda: "Dòng 3" in page.message.text(), timeout=10000)
    page.import_path(out)
    qtbot.waitUntil(lambda: "Đã nhập" in page.message.text(), timeout=10000)
    # The list refreshes after the import; the clerk must still read what the import did.
    wait_idle()
    qtbot.wait(200)
    assert "Đã nhập" in page.message.text()
