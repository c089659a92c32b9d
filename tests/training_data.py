"""Realistic training data for the training tests (importable because tests/ is on sys.path
through tests/conftest.py): officials with valid ID numbers, a course with its sessions."""

from __future__ import annotations

import datetime as dt

from commune_desk.services import training as T
from commune_desk.services.context import Ctx

GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Nga",
         "Phúc", "Quỳnh", "Sơn", "Thảo", "Thắng", "Thu", "Tiến", "Trang", "Trung", "Uyên", "Việt", "Xuân", "Yên",
         "Yến", "Toàn", "Ánh", "Đức", "Hạnh", "Khánh", "Linh", "Minh", "Ngọc", "Oanh", "Phương", "Quân", "Tâm"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
POSITIONS = [("Công chức Văn phòng - Thống kê", "Văn phòng HĐND và UBND"),
             ("Công chức Tư pháp - Hộ tịch", "Trung tâm Phục vụ hành chính công"),
             ("Phó Chủ tịch UBND", "UBND xã"),
             ("Công chức Địa chính - Xây dựng", "Phòng Kinh tế")]


def person(i: int) -> T.StaffInput:
    """Official number ``i``: born 1968 + i % 30, a matching 12-digit ID number."""
    female = i % 2 == 1
    year = 1968 + i % 30
    middle = "Thị" if female else "Văn"
    name = f"{FAMILY[i % len(FAMILY)]} {middle} {GIVEN[i % len(GIVEN)]}"
    id_number = f"008{1 if female else 0}{year % 100:02d}{200000 + i:06d}"
    position, unit = POSITIONS[i % len(POSITIONS)]
    return T.StaffInput(name, id_number, dt.date(year, 1 + i % 12, 1 + i % 27), position, unit,
                        "Chuyên viên về một cửa", "Chuyên viên", f"09{12345600 + i}")


def add_staff(ctx: Ctx, n: int, start: int = 0) -> list[T.StaffRow]:
    """``n`` officials, in one transaction (the service's own checks still run)."""
    with ctx.db.write() as s:
        return [T.staff_row(T.save_staff_in(s, person(i))) for i in range(start, start + n)]


def course_input(code: str = "BD-2026-01", *, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6),
                 periods: int = 24, kind: str = "job_position") -> T.CourseInput:
    return T.CourseInput(code, "Kỹ năng tiếp nhận và trả kết quả theo cơ chế một cửa", kind, start, end, periods,
                         topics=("one_stop", "desk_situations"), organiser="Trung tâm Phục vụ hành chính công tỉnh",
                         trainers="ThS. Nguyễn Thị Hạnh", location="Hội trường UBND xã Minh Tân",
                         funding_source="Ngân sách tỉnh", funding_vnd=15_000_000)


def add_course(ctx: Ctx, code: str = "BD-2026-01", *, sessions: int = 3, start=dt.date(2026, 3, 2),
               end=dt.date(2026, 3, 6), periods: int = 4, **kw) -> tuple[T.CourseRow, list[T.SessionRow]]:
    planned = kw.pop("planned", max(sessions * periods, 4))  # by default what the sessions give
    course = T.save_course(ctx, course_input(code, start=start, end=end, periods=planned, **kw))
    rows = [T.save_session(ctx, course.id, T.SessionInput(start + dt.timedelta(days=k), dt.time(7, 30),
                                                          dt.time(11, 0), periods, f"Chuyên đề {k + 1}"))
            for k in range(sessions)]
    return course, rows
