"""The reports page: choose a period, see the table and the charts, export both files; the
exported numbers are those on the screen; bad input gets a message next to the period."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCharts import QLineSeries, QPieSeries
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
import reportdata as rd  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.reports.model import COLUMNS  # noqa: E402
from commune_desk.services.context import Actor, Ctx  # noqa: E402
from commune_desk.ui.pages.reports import ReportsPage  # noqa: E402
from commune_desk.ui.tasks import wait_idle  # noqa: E402


def settle(qtbot, page, attribute: str = "report") -> None:
    qtbot.waitUntil(lambda: wait_idle(100) and getattr(page, attribute) is not None, timeout=30000)
    qtbot.wait(50)


def run(qtbot, page, period: str) -> None:
    page.period.setEditText(period)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    qtbot.wait(50)


@pytest.fixture
def page(qtbot, admin_ctx):
    rd.insert(admin_ctx.db)
    widget = ReportsPage(admin_ctx, None)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitUntil(lambda: wait_idle(100), timeout=10000)
    return widget


def screen_rows(page) -> list[list[str]]:
    model = page.model
    return [[model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def as_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_choose_a_period_see_the_table_and_the_charts(qtbot, page):
    run(qtbot, page, "2025-Q1")
    assert page.report is not None and not page.error.isVisible()
    rows = screen_rows(page)
    assert rows[-1][1] == "Tổng cộng"
    assert rows[-1][2:] == ["13", "2", "8", "1", "2", "6", "2", "1", "3", "3", "1", "2", "2", "2", "53,85"]
    assert [r[0] for r in rows] == ["I", "1", "II", "1", "2", ""]
    assert "53,85%" in page.summary.text() and "38,46%" in page.summary.text()
    # the three charts, fed from the same report
    assert len(page.chart_views) == 3
    trend = [s for s in page.chart_views[0].chart().series() if isinstance(s, QLineSeries)][0]
    points = {round(p.x()): round(p.y(), 2) for p in trend.points()}
    assert (points[3], points[4], points[5]) == (60.0, 33.33, 42.86)    # Jan 3/5, Feb 1/3, Mar 3/7
    pie = page.chart_views[1].chart().series()[0]
    assert isinstance(pie, QPieSeries)
    assert sorted(int(s.value()) for s in pie.slices()) == [1, 2, 2, 8]
    assert page.chart_views[0].isVisible()
    # the other tabs
    assert page.criteria_table.rowCount() == 3
    assert page.officer_table.item(0, 1).text() == "Nguyễn Văn An"


def test_exported_files_hold_the_numbers_on_the_screen(qtbot, page, tmp_path):
    run(qtbot, page, "2025-Q1")
    xlsx, pdf = tmp_path / "q1.xlsx", tmp_path / "q1.pdf"
    page.export_to(xlsx)
    page.export_to(pdf)
    qtbot.waitUntil(lambda: wait_idle(100) and xlsx.exists() and pdf.exists(), timeout=30000)
    rows = screen_rows(page)
    ws = openpyxl.load_workbook(xlsx)["Giải quyết TTHC"]
    for offset, screen in enumerate(rows):
        cells = [ws.cell(13 + offset, c).value for c in range(3, 3 + len(COLUMNS))]
        assert cells == [as_number(x) for x in screen[2:]], screen[1]
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(str(pdf)).pages))
    for screen in rows:
        assert " ".join(screen[2:]) in text, screen[1]
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=5000)
    assert "q1" in page.summary.text()


@pytest.mark.parametrize(("period", "message"), [
    ("quý một", "Không hiểu kỳ báo cáo “quý một”"),
    ("31/03/2025-01/01/2025", "Ngày kết thúc (01/01/2025) trước ngày bắt đầu (31/03/2025)."),
])
def test_bad_period_is_shown_next_to_the_field(qtbot, page, period, message):
    run(qtbot, page, period)
    assert page.error.isVisible() and message in page.error.text()
    assert page.report is None
    assert not page.xlsx_button.isEnabled() and not page.pdf_button.isEnabled()
    # then a good one clears the message
    run(qtbot, page, "2025-Q1")
    assert not page.error.isVisible() and page.report is not None


def test_hub_page_compares_chosen_communes(qtbot, hub_db):
    rd.insert(hub_db)
    rd.insert(hub_db, [dataclasses.replace(x, key=f"T{x.key}", office="00925") for x in rd.DOSSIERS
                       if x.office == "00919"], [])
    ctx = Ctx(hub_db, Actor(None, "tinh", "Cán bộ tỉnh", Role.HUB))
    page = ReportsPage(ctx, None)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: wait_idle(100) and page.communes.count() == 3, timeout=10000)
    assert [page.communes.item(i).text() for i in range(3)] == ["00919 Xã Minh Tân", "00922 Xã Thuận Hoà",
                                                               "00925 Xã Tùng Bá"]
    page.all_communes.setChecked(False)
    page.communes.item(0).setCheckState(Qt.CheckState.Checked)
    page.communes.item(2).setCheckState(Qt.CheckState.Checked)
    run(qtbot, page, "2025-Q1")
    assert page.report.office_codes == ["00919", "00925"]
    office_rows = [[page.office_model.text(r, c) for c in range(4)] for r in range(page.office_model.rowCount())]
    assert office_rows[0] == ["1", "Xã Minh Tân", "02/04/2025 (theo hồ sơ)", "13"]
    assert office_rows[-1][1] == "Tổng cộng" and office_rows[-1][3] == "26"
    assert page.tabs.tabText(1) == "So sánh các xã"
