"""A trainer's day in the window: create a course with three sessions, take attendance for 30
people with the keyboard (one key per person), record results, issue and print certificates.
Bad input in the dialogs shows a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select
from training_data import add_staff, person
from ui_helpers import open_window, settle

from commune_desk.domain.roles import Role
from commune_desk.services import training as T
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import Attendance, Certificate, Course, TrainingSession
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.pdf_preview import PdfPreviewDialog
from commune_desk.ui.training_results import SCORE_COL

KEY = {"P": Qt.Key.Key_P, "A": Qt.Key.Key_A, "E": Qt.Key.Key_E, "L": Qt.Key.Key_L}




def type_into(edit: QLineEdit, text: str) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)


def count(ctx, model) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def trainer(db) -> Ctx:
    return Ctx(db, Actor(uuid.uuid4(), "giangvien", "Lê Thị Giảng", Role.TRAINER))


@pytest.fixture
def page(qtbot, trainer):
    window = open_window(qtbot, trainer)
    training = window.show_area("training")
    settle(qtbot)
    yield training
    settle(qtbot)
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget is not window:
            widget.close()
    settle(qtbot)


def test_a_trainer_sees_only_the_training_area(qtbot, trainer):
    window = MainWindow(trainer)
    qtbot.addWidget(window)
    assert window.area_keys() == ["training"]
    assert window.nav.count() == 1


def create_course(qtbot, page) -> T.CourseRow:
    courses = page.courses
    courses.new_course()
    dialog = courses.course_dialog
    type_into(dialog.code, "BD-2026-07")
    type_into(dialog.name, "Kỹ năng tiếp nhận hồ sơ tại Trung tâm Phục vụ hành chính công")
    dialog.kind.setCurrentIndex(dialog.kind.findData("job_position"))
    dialog.topics.item(0).setCheckState(Qt.CheckState.Checked)
    type_into(dialog.trainers, "ThS. Nguyễn Thị Hạnh")
    type_into(dialog.location, "Hội trường UBND xã")
    dialog.start.setDate(QDate(2026, 3, 2))
    dialog.end.setDate(QDate(2026, 3, 6))
    dialog.periods.setValue(12)
    type_into(dialog.funding, "15.000.000")
    assert dialog.certificate.currentData() == "giay_chung_nhan"
    dialog.save()
    settle(qtbot)
    assert not dialog.isVisible()
    course = courses.view.course
    assert course is not None and course.code == "BD-2026-07" and course.funding_vnd == 15_000_000
    return course


def add_sessions(qtbot, page, n: int) -> None:
    view = page.courses.view
    for k in range(n):
        view.add_session()
        dialog = view.session_dialog
        assert dialog.day.date() == QDate(2026, 3, 2 + k)  # the day after the last session
        type_into(dialog.topic, f"Chuyên đề {k + 1}")
        dialog.save()
        settle(qtbot)
        assert not dialog.isVisible(), dialog.general.text()


def enrol_everyone(qtbot, page) -> None:
    view = page.courses.view
    view.tabs.setCurrentIndex(1)
    view.enrol()
    settle(qtbot)
    dialog = view.enrol_dialog
    dialog.all_box.setChecked(True)
    assert "30" in dialog.count.text()
    dialog._accept()
    settle(qtbot)
    assert len(view.people.rows) == 30


PATTERNS = [
    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",
    "PPPAPPPPEPPPPLPPPPPPPPPPPPPPPP",
    "PPPPPEPPPPPPPPPPPPPPLPPPPPAPPP",
]


def take_attendance(qtbot, page, session_row: int, pattern: str) -> list[T.AttendanceLine]:
    view = page.courses.view
    view.tabs.setCurrentIndex(0)
    view.session_table.selectRow(session_row)
    view.session_table.setCurrentIndex(view.sessions.index(session_row, 0))
    dialog = view.open_attendance()
    settle(qtbot)
    assert len(dialog.model.rows) == 30
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    for key in pattern:
        qtbot.keyClick(dialog.table, KEY[key])
    qtbot.waitUntil(lambda: dialog.pending == 0, timeout=60000)
    settle(qtbot)
    assert dialog.table.currentIndex().row() == 29  # the cursor moved down by itself
    assert [line.status for line in dialog.model.rows] == list(pattern)
    assert "Có mặt" in dialog.counts.text()
    lines = list(dialog.model.rows)
    dialog.accept()
    settle(qtbot)
    return lines


def test_trainer_course_three_sessions_attendance_results_certificates(qtbot, page, trainer):
    add_staff(trainer, 30)
    page.courses.reload()
    settle(qtbot)
    course = create_course(qtbot, page)
    add_sessions(qtbot, page, 3)
    with trainer.db.read() as s:
        assert s.scalar(select(func.count(TrainingSession.id)).where(TrainingSession.course_id == course.id)) == 3
    enrol_everyone(qtbot, page)

    sheets = [take_attendance(qtbot, page, k, PATTERNS[k]) for k in range(3)]
    # what the keys recorded is in the database, person by person
    with trainer.db.read() as s:
        for k, lines in enumerate(sheets):
            session_id = page.courses.view.sessions.rows[k].id
            stored = dict(s.execute(select(Attendance.staff_id, Attendance.status)
                                    .where(Attendance.session_id == session_id)).all())
            assert stored == {line.staff_id: line.status for line in lines}
    assert page.courses.view.sessions.rows[1].present == 28  # P and L, out of 30

    # a partial attendance with a digit: the late person of session 2 stayed 2 periods
    view = page.courses.view
    view.session_table.setCurrentIndex(view.sessions.index(1, 0))
    dialog = view.open_attendance()
    settle(qtbot)
    late = PATTERNS[1].index("L")
    dialog.table.setCurrentIndex(dialog.model.index(late, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: dialog.pending == 0, timeout=10000)
    settle(qtbot)
    assert dialog.model.rows[late].periods_attended == 2
    assert dialog.model.data(dialog.model.index(late, 3)) == "2"
    dialog.accept()
    settle(qtbot)

    # results: a score per person typed into the table; 5 and above passes
    view.tabs.setCurrentIndex(2)
    results = view.results
    settle(qtbot)
    assert len(results.model.rows) == 30
    scores = ["8,5" if i % 6 else "4" for i in range(30)]
    for row, score in enumerate(scores):
        index = results.model.index(row, SCORE_COL)
        results.table.setCurrentIndex(index)
        results.table.edit(index)
        editor, = [e for e in results.table.viewport().findChildren(QLineEdit) if e.isVisible()]
        editor.setText(score)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    settle(qtbot, 8)
    assert results.table.currentIndex().row() == 29
    passed = [r for r in results.model.rows if r.passed]
    assert len(passed) == 25 and all(r.score == 8.5 for r in passed)
    assert sum(1 for r in results.model.rows if r.passed is False) == 5

    # certificates for those who passed, numbered from the yearly sequence
    results.issue_all()
    settle(qtbot)
    issue = results.issue_dialog
    issue.day.setDate(QDate(2026, 3, 9))
    settle(qtbot)
    assert issue.first_number.text() == "001/2026/GCN"
    issue.save()
    settle(qtbot)
    assert count(trainer, Certificate) == 25
    assert sorted(r.certificate_number for r in results.model.rows if r.certificate_number)[-1] == "025/2026/GCN"

    # print them: the preview shows exactly the PDF, one landscape page per person
    results.print_certificates()
    qtbot.waitUntil(lambda: any(isinstance(w, PdfPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=30000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PdfPreviewDialog) and w.isVisible())
    assert preview.page_count() == 25
    reader = PdfReader(str(preview.pdf_path))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "GIẤY CHỨNG NHẬN" in first and "Số: 001/2026/GCN" in first
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    preview.close()


@pytest.fixture
def course_page(qtbot, page, trainer):
    people = add_staff(trainer, 3)
    course = T.save_course(trainer, T.CourseInput("BD-01", "Giao tiếp với người dân", "knowledge_update",
                                                  dt.date(2026, 3, 2), dt.date(2026, 3, 6), 8))
    session = T.save_session(trainer, course.id, T.SessionInput(dt.date(2026, 3, 2), dt.time(7, 30),
                                                                dt.time(11), 4))
    T.enrol(trainer, course.id, [p.id for p in people])
    page.courses.year.setCurrentIndex(0)
    page.courses.reload()
    settle(qtbot)
    page.courses.select_course(course.id)
    settle(qtbot)
    return page, people, course, session


def test_a_session_outside_the_course_dates_shows_a_message_and_saves_nothing(qtbot, course_page, trainer):
    page, _people, _course, _session = course_page
    view = page.courses.view
    view.add_session()
    dialog = view.session_dialog
    dialog.day.setDate(QDate(2026, 3, 12))
    dialog.save()
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.text("day") == "Ngày học 12/03/2026 nằm ngoài thời gian của khóa (02/03/2026 – 06/03/2026)."
    assert count(trainer, TrainingSession) == 1
    # an end time before the start
    dialog.day.setDate(QDate(2026, 3, 3))
    dialog.start.setTime(QTime(14, 0))
    dialog.end.setTime(QTime(13, 30))
    dialog.save()
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.text("end") == "Giờ kết thúc (13:30) phải sau giờ bắt đầu (14:00)."
    assert count(trainer, TrainingSession) == 1
    dialog.end.setTime(QTime(17, 0))
    dialog.save()
    settle(qtbot)
    assert not dialog.isVisible() and count(trainer, TrainingSession) == 2


def test_the_same_person_twice_in_one_session_is_refused(qtbot, course_page, trainer):
    page, people, _course, _session = course_page
    view = page.courses.view
    view.session_table.setCurrentIndex(view.sessions.index(0, 0))
    dialog = view.open_attendance()
    settle(qtbot)
    dialog.add_walk_in()
    settle(qtbot)
    walk_in = dialog.walk_in_dialog
    assert walk_in.list.count() == 0  # everyone of the registry is already on the sheet
    walk_in.new_box.setChecked(True)
    type_into(walk_in.name, "Nguyễn Văn Khác")
    type_into(walk_in.id_number, person(0).id_number)  # in fact the first participant again
    walk_in.save()
    settle(qtbot)
    assert walk_in.isVisible()
    assert walk_in.error.text() == f"{people[0].full_name} đã có trong danh sách buổi học này."
    assert count(trainer, Attendance) == 0 and len(dialog.model.rows) == 3
    # a real walk-in is added on the spot, present
    type_into(walk_in.name, "Hà Thị Mới")
    type_into(walk_in.id_number, "")
    type_into(walk_in.position, "Công an xã")
    walk_in.save()
    settle(qtbot)
    assert not walk_in.isVisible()
    assert len(dialog.model.rows) == 4 and dialog.model.rows[-1].full_name == "Hà Thị Mới"
    assert dialog.model.rows[-1].status == "P" and count(trainer, Attendance) == 1


def test_a_certificate_number_used_twice_is_refused(qtbot, course_page, trainer):
    page, people, course, _session = course_page
    for p in people:
        T.set_result(trainer, course.id, p.id, passed=True)
    T.issue_certificate(trainer, course.id, people[0].id, number="12/GCN-UBND", issued_on=dt.date(2026, 3, 6))
    view = page.courses.view
    view.tabs.setCurrentIndex(2)
    view.results.reload()
    settle(qtbot)
    results = view.results
    row = results.model.row_of(lambda r: r.staff_id == people[1].id)
    results.table.setCurrentIndex(results.model.index(row, 0))
    results.table.selectRow(row)
    results.issue_one()
    settle(qtbot)
    dialog = results.number_dialog
    type_into(dialog.number, "12/GCN-UBND")
    dialog.save()
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.text("number") == (f"Số 12/GCN-UBND đã cấp cho {people[0].full_name} (khóa BD-01): "
                                            "mỗi số chỉ dùng một lần.")
    assert count(trainer, Certificate) == 1
    type_into(dialog.number, "13/GCN-UBND")
    dialog.save()
    settle(qtbot)
    assert not dialog.isVisible() and count(trainer, Certificate) == 2


def test_course_with_end_before_start_is_refused(qtbot, page, trainer):
    page.courses.new_course()
    dialog = page.courses.course_dialog
    type_into(dialog.code, "BD-X")
    type_into(dialog.name, "Khóa thử")
    dialog.start.setDate(QDate(2026, 5, 10))
    dialog.end.setDate(QDate(2026, 5, 8))
    dialog.save()
    settle(qtbot)
    assert dialog.isVisible() and dialog.errors.text("end") == "Ngày kết thúc phải từ ngày bắt đầu trở đi."
    assert count(trainer, Course) == 0
