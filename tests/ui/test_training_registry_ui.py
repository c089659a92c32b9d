"""The staff registry and the "Chưa đủ giờ" view in the window: an XLSX import with bad rows
shows each of them and imports nothing; a good one fills the registry; the officials below
the yearly minimum are listed with the courses that would close the gap."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from openpyxl import Workbook
from PySide6.QtWidgets import QApplication, QMessageBox
from training_data import add_course, add_staff, person

from commune_desk.domain.roles import Role
from commune_desk.services import training as T
from commune_desk.services.context import Actor, Ctx
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.tasks import wait_idle
from commune_desk.ui.training_staff import ImportReportDialog


def settle(qtbot, rounds: int = 4) -> None:
    for _ in range(rounds):
        wait_idle()
        QApplication.processEvents()
        qtbot.wait(5)


@pytest.fixture
def trainer(db) -> Ctx:
    return Ctx(db, Actor(uuid.uuid4(), "giangvien", "Lê Thị Giảng", Role.TRAINER))


@pytest.fixture
def page(qtbot, trainer, monkeypatch):
    # message boxes would wait for a click: record them instead
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: shown.append(text))
    window = MainWindow(trainer)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    training = window.show_area("training")
    training.messages = shown
    settle(qtbot)
    yield training
    settle(qtbot)


def xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên", "Số định danh cá nhân", "Ngày sinh", "Chức vụ", "Đơn vị"])
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def line(i: int, **change) -> list:
    p = person(i)
    values = {"stt": i + 1, "name": p.full_name, "id": p.id_number, "dob": p.dob.strftime("%d/%m/%Y"),
              "position": p.position, "unit": p.unit} | change
    return list(values.values())


def test_import_with_bad_rows_lists_them_and_imports_nothing(qtbot, page, tmp_path):
    staff = page.staff
    page.tabs.setCurrentWidget(staff)
    path = xlsx(tmp_path / "bad.xlsx", [line(0), line(1, dob="30/02/1980"), line(2, id="0010"), line(3)])
    staff.import_file(path)
    settle(qtbot)
    report = staff.report
    assert isinstance(report, ImportReportDialog) and report.isVisible()
    assert report.table.rowCount() == 2
    assert [report.table.item(r, 0).text() for r in range(2)] == ["3", "4"]
    assert "30/02/1980" in report.table.item(0, 1).text()
    assert len(staff.model.rows) == 0
    report.close()


def test_good_import_fills_the_registry(qtbot, page, tmp_path):
    staff = page.staff
    staff.import_file(xlsx(tmp_path / "good.xlsx", [line(i) for i in range(12)]))
    settle(qtbot)
    assert len(staff.model.rows) == 12
    assert page.messages[-1].startswith("Đã nhập 12 người: 12 mới")
    assert staff.count.text() == "12 người"
    # the masked ID number on screen, the full one stays in the editor
    first = staff.model.rows[0]
    assert "*" in staff.model.data(staff.model.index(0, 1))
    staff.table.selectRow(0)
    staff.edit()
    assert staff.staff_dialog.id_number.text() == first.id_number
    staff.staff_dialog.reject()


def test_export_writes_the_file(qtbot, page, trainer, tmp_path, monkeypatch):
    add_staff(trainer, 5)
    monkeypatch.setattr("commune_desk.ui.personal_data.confirm_plain_export", lambda *a: True)  # said yes
    target = tmp_path / "out.xlsx"
    page.staff.export_file(target)
    settle(qtbot)
    assert target.exists() and "Đã xuất 5 người" in page.messages[-1]


def test_below_minimum_view_and_registering_in_a_suggested_course(qtbot, page, trainer):
    people = add_staff(trainer, 2)
    year = dt.date.today().year
    start = dt.date(year, 12, 21) if dt.date.today() < dt.date(year, 12, 21) else dt.date.today()
    end = max(start, dt.date(year, 12, 31))
    course, _ = add_course(trainer, "BD-CUOI-NAM", sessions=0, start=start, end=end, planned=40)
    T.enrol(trainer, course.id, [people[0].id])
    hours = page.hours
    hours.year.setValue(year)
    hours.reload()
    settle(qtbot)
    assert len(hours.gaps.rows) == 2 and all(r.missing == 40 for r in hours.gaps.rows)
    assert "Mức tối thiểu: 40 tiết/năm" in hours.minimum.text()
    texts = {r.full_name: hours.gaps.data(hours.gaps.index(i, 4)) for i, r in enumerate(hours.gaps.rows)}
    assert texts[people[0].full_name].startswith("BD-CUOI-NAM (40 tiết") and texts[people[0].full_name].endswith("✓")
    row = next(i for i, r in enumerate(hours.gaps.rows) if r.staff_id == people[1].id)
    hours.gap_table.selectRow(row)
    hours.enrol_suggested()
    settle(qtbot)
    assert "Đã ghi danh" in page.messages[-1]
    assert {p.staff_id for p in T.course_detail(trainer, course.id).participants} == {people[0].id, people[1].id}
    hours.everyone.setChecked(True)
    assert hours.stack.currentWidget() is hours.all_table and len(hours.all.rows) == 2
