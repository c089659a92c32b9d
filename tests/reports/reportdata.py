"""Hand-made dossiers for the report tests, inserted straight into the tables (the report
reads only the stored columns the lifecycle keeps), and their expected report worked out
on paper (see EXPECTED_Q1 and the comments on each dossier)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from commune_desk.domain.calendar import to_utc
from commune_desk.store.models import Dossier, Procedure, Rating

P1 = "1.000689"   # Hộ tịch: đăng ký khai sinh kết hợp nhận cha, mẹ, con
P3 = "1.004873"   # Hộ tịch: cấp Giấy xác nhận tình trạng hôn nhân
P2 = "2.001035"   # Chứng thực: giao dịch về động sản, quyền sử dụng đất


def L(text: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh) time 'YYYY-MM-DD HH:MM' as aware UTC."""
    return to_utc(datetime.strptime(text, "%Y-%m-%d %H:%M"))


@dataclass
class D:
    key: str
    proc: str
    channel: str
    received: str
    due: str | None
    status: str
    finished: str | None = None
    outcome: str | None = None
    original_due: str | None = None
    supplements: int = 0
    supplement_requested: str | None = None
    paused_seconds: int = 0
    handler: str | None = None
    office: str = "00919"
    extra: dict = field(default_factory=dict)


# Period 2025-Q1 (01/01–31/03/2025), report made on 10/04/2025.
DOSSIERS = [
    # --- Hộ tịch / P1
    D("D1", P1, "counter", "2025-01-05 08:00", "2025-01-08 17:00", "returned", "2025-01-07 10:00", "early",
      handler="Nguyễn Văn An"),
    D("D2", P1, "online", "2025-01-10 09:00", "2025-01-15 17:00", "result_ready", "2025-01-15 16:00", "on_time",
      handler="Nguyễn Văn An"),
    D("D3", P1, "counter", "2025-02-01 08:00", "2025-02-03 17:00", "returned", "2025-02-05 09:00", "late",
      handler="Trần Thị Bình"),
    # supplement pause: asked 11/02, completed 16/02, appointment moved from 13/02 to 20/02:
    # finished 19/02 after the first appointment but before the moved one -> early
    D("D4", P1, "post", "2025-02-10 08:00", "2025-02-20 17:00", "returned", "2025-02-19 10:00", "early",
      original_due="2025-02-13 17:00", supplements=1, paused_seconds=5 * 86400, handler="Trần Thị Bình"),
    # two supplement requests: late whatever the dates (Decision 766)
    D("D5", P1, "counter", "2025-03-01 08:00", "2025-03-20 17:00", "returned", "2025-03-10 09:00", "late",
      supplements=2, handler="Trần Thị Bình"),
    # --- Hộ tịch / P3: withdrawn by the citizen before the appointment (terminal, early)
    D("D6", P3, "counter", "2025-03-02 08:00", "2025-03-10 17:00", "withdrawn", "2025-03-05 10:00", "early"),
    # --- Chứng thực / P2
    # carried over from December, finished in January after its appointment
    D("D7", P2, "counter", "2024-12-20 09:00", "2025-01-04 17:00", "returned", "2025-01-06 10:00", "late",
      handler="Nguyễn Văn An"),
    # carried over, still open at the end of March, appointment 10/01 passed
    D("D8", P2, "online", "2024-12-28 09:00", "2025-01-10 17:00", "processing"),
    # finished before the period: not in it
    D("D9", P2, "counter", "2024-12-01 09:00", "2024-12-10 17:00", "returned", "2024-12-10 11:00", "on_time"),
    # received after the period: not in it
    D("D10", P2, "counter", "2025-04-02 09:00", "2025-04-07 17:00", "processing"),
    # open at the end, appointment in April: within the deadline
    D("D11", P2, "counter", "2025-03-25 08:00", "2025-04-05 17:00", "processing"),
    # waiting for a supplement asked on 24/03, before the appointment of 27/03: on time
    D("D12", P2, "counter", "2025-03-20 08:00", "2025-03-27 17:00", "supplement_requested", supplements=1,
      supplement_requested="2025-03-24 10:00"),
    # open at the end (finished only on 03/04), appointment 30/03 passed: overdue at the end
    D("D13", P2, "counter", "2025-03-28 08:00", "2025-03-30 17:00", "returned", "2025-04-03 10:00", "late"),
    # refused after appraisal on the next day: terminal, early
    D("D14", P2, "counter", "2025-01-20 08:00", "2025-01-25 17:00", "refused", "2025-01-21 09:00", "early"),
    # waiting for a supplement asked on 09/03, after the appointment of 06/03: overdue
    D("D15", P2, "online", "2025-03-02 08:00", "2025-03-06 17:00", "supplement_requested", supplements=1,
      supplement_requested="2025-03-09 10:00"),
    # another commune's dossier in the same file: never in this commune's report
    D("D16", P2, "counter", "2025-02-02 08:00", "2025-02-05 17:00", "processing", office="00922"),
]

# (dossier key, scores, complaint, dislike, rated at)
RATINGS = [
    ("D3", {"a": 0, "dd": 1}, True, False, "2025-02-06 10:00"),
    ("D1", {"a": 2, "dd": 2}, False, False, "2025-01-08 09:00"),
    ("D2", {"a": 1, "dd": 2}, False, False, "2025-01-16 09:00"),
    ("D9", {"a": 0}, True, False, "2024-12-11 09:00"),     # before the period, dossier not in it
    ("D11", {}, False, True, "2025-03-28 09:00"),           # a "dislike"
    ("D7", {"h": 5}, False, False, "2025-01-07 09:00"),     # a 1–5 scale criterion
]

AS_OF = L("2025-04-10 09:00")

# key -> (received, online, counter, post, carried, resolved, early, on_time, late,
#         open, within, overdue, waiting, withdrawn, on_time_num)
EXPECTED_Q1 = {
    "Hộ tịch": (6, 1, 4, 1, 0, 5, 2, 1, 2, 0, 0, 0, 0, 1, 4),
    P1: (5, 1, 3, 1, 0, 5, 2, 1, 2, 0, 0, 0, 0, 0, 3),
    P3: (1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    "Chứng thực": (7, 1, 4, 0, 2, 1, 0, 0, 1, 3, 1, 2, 2, 1, 3),
    P2: (7, 1, 4, 0, 2, 1, 0, 0, 1, 3, 1, 2, 2, 1, 3),
    "total": (13, 2, 8, 1, 2, 6, 2, 1, 3, 3, 1, 2, 2, 2, 7),
}
# The same dossiers in the cut-off quarter 15/12/2024–14/03/2025
EXPECTED_Q1_CUTOFF_TOTAL = (10, 3, 6, 1, 0, 6, 2, 1, 3, 1, 0, 1, 1, 2, 5)
# Monthly on-time rate (received, on-time numerator) for Dec 2024 .. Mar 2025
EXPECTED_TREND = {(2024, 12): (3, 3), (2025, 1): (5, 3), (2025, 2): (3, 1), (2025, 3): (7, 3)}

_numbers = itertools.count(1)


def insert(db, dossiers=DOSSIERS, ratings=RATINGS) -> dict[str, Dossier]:
    """Insert ``dossiers`` and ``ratings`` in one transaction; returns key -> Dossier."""
    out: dict[str, Dossier] = {}
    with db.write(capture_changes=False) as s:
        procs = {p.code: p for p in s.scalars(select(Procedure))}
        for spec in dossiers:
            proc = procs[spec.proc]
            number = next(_numbers)
            row = Dossier(
                office_code=spec.office, code=f"TEST-{spec.key}-{number}", book_year=2025, book_number=number,
                procedure_id=proc.id, procedure_code=proc.code, procedure_name=proc.name, field=proc.field,
                applicant_name=f"Công dân {spec.key}", applicant_folded=f"cong dan {spec.key.lower()}",
                channel=spec.channel, received_at=L(spec.received), due_at=L(spec.due) if spec.due else None,
                original_due_at=L(spec.original_due or spec.due) if (spec.original_due or spec.due) else None,
                status=spec.status, finished_at=L(spec.finished) if spec.finished else None,
                outcome=spec.outcome, supplement_count=spec.supplements,
                supplement_requested_at=L(spec.supplement_requested) if spec.supplement_requested else None,
                supplement_paused_seconds=spec.paused_seconds, handler_name=spec.handler,
                updated_at=L(spec.received), **spec.extra)
            s.add(row)
            out[spec.key] = row
        s.flush()
        for key, scores, complaint, dislike, at in ratings:
            target = out[key]
            s.add(Rating(office_code=target.office_code, dossier_id=target.id, rated_at=L(at), scores=scores,
                         complaint=complaint, dislike=dislike))
    return out


def insert_training(db, office: str = "00919", year: int = 2025) -> dict[str, object]:
    """Four officials, two courses in the given year with sessions and attendance (expected figures in
    the comments): returns the staff rows by key."""
    import datetime as dt

    from commune_desk.store.models import Attendance, Course, Enrolment, Staff, TrainingSession

    people = {
        # desk clerk, one-stop course 16 periods (P, P) + law update 24 (P, L, partial 4 of 8) -> 16 + 20 = 36
        "lan": Staff(office_code=office, full_name="Nguyễn Thị Lan", name_folded="nguyen thi lan",
                     position="Công chức", job_position="Tiếp nhận và trả kết quả tại bộ phận một cửa"),
        # desk clerk, law update only: P, P, P -> 24
        "minh": Staff(office_code=office, full_name="Trần Văn Minh", name_folded="tran van minh",
                      position="Công chức", unit="Trung tâm Phục vụ hành chính công"),
        # not at the desk: one-stop 16 (P, P) + law update 24 (P, P, P) = 40 -> meets the minimum
        "hoa": Staff(office_code=office, full_name="Lê Thị Hoa", name_folded="le thi hoa",
                     position="Phó Chủ tịch UBND xã"),
        # absent from everything -> 0
        "tuan": Staff(office_code=office, full_name="Phạm Văn Tuấn", name_folded="pham van tuan",
                      position="Công chức địa chính"),
    }
    with db.write(capture_changes=False) as s:
        s.add_all(people.values())
        s.flush()
        one_stop = Course(office_code=office, code="K1", name="Kỹ năng một cửa", name_folded="ky nang mot cua",
                          kind="job_position", topics=["one_stop", "communication"], start_date=dt.date(year, 2, 1),
                          end_date=dt.date(year, 2, 2), planned_periods=16, certificate_kind="giay_chung_nhan")
        law = Course(office_code=office, code="K2", name="Cập nhật pháp luật", name_folded="cap nhat phap luat",
                     kind="knowledge_update", topics=["law_update"], start_date=dt.date(year, 3, 1),
                     end_date=dt.date(year, 3, 3), planned_periods=24, certificate_kind="giay_chung_nhan")
        s.add_all([one_stop, law])
        s.flush()
        plan = {one_stop: [dt.date(year, 2, 1), dt.date(year, 2, 2)],
                law: [dt.date(year, 3, 1), dt.date(year, 3, 2), dt.date(year, 3, 3)]}
        marks = {
            one_stop: {"lan": ["P", "P"], "hoa": ["P", "P"], "tuan": ["A", "A"]},
            law: {"lan": ["P", "L", ("P", 4)], "minh": ["P", "P", "P"], "hoa": ["P", "P", "P"], "tuan": ["E", "A", "A"]},
        }
        for course, days in plan.items():
            sessions = []
            for day in days:
                t = TrainingSession(office_code=office, course_id=course.id, day=day, start_time=dt.time(7, 30),
                                    end_time=dt.time(11, 30), periods=8)
                s.add(t)
                sessions.append(t)
            s.flush()
            for key, statuses in marks[course].items():
                s.add(Enrolment(office_code=office, course_id=course.id, staff_id=people[key].id))
                for t, mark in zip(sessions, statuses, strict=True):
                    status, partial = (mark, None) if isinstance(mark, str) else mark
                    s.add(Attendance(office_code=office, session_id=t.id, staff_id=people[key].id, status=status,
                                     periods_attended=partial))
    return people


# -- dossiers with a history (dossier_event), judged as they stood at the period's end ----------
# Each step: (kind, local time, from status, to status, data). The columns are what the
# lifecycle leaves NOW (report made on 10/07/2025, in Q3); the expected Q1 figures are those
# of 31/03/2025, worked out on paper in the comments.
def step(kind: str, at: str, src: str, dst: str, **data) -> tuple:
    return (kind, at, src, dst, data)


def _iso(text: str) -> str:
    return L(text).isoformat()


HISTORY = [
    # H1: supplement asked 14/03, after the appointment of 12/03; completed only on 08/04
    # (appointment restarted to 15/04), returned 14/04. At 31/03: waiting, and late.
    (D("H1", P2, "counter", "2025-03-03 08:00", "2025-04-15 17:00", "returned", "2025-04-14 10:00", "early",
       original_due="2025-03-12 17:00", supplements=1, supplement_requested="2025-03-14 09:00",
       paused_seconds=25 * 86400),
     [step("assign", "2025-03-03 09:00", "received", "processing", to_name="Nguyễn Văn An"),
      step("request_supplement", "2025-03-14 09:00", "processing", "supplement_requested"),
      step("receive_supplement", "2025-04-08 09:00", "supplement_requested", "processing",
           old_due=_iso("2025-03-12 17:00"), new_due=_iso("2025-04-15 17:00")),
      step("result_ready", "2025-04-14 10:00", "processing", "result_ready"),
      step("return_result", "2025-04-14 11:00", "result_ready", "returned")]),
    # H2: supplement asked 05/03 and completed 09/03 (appointment 02/04), finished 05/04.
    # At 31/03: in progress, within its appointment (not waiting).
    (D("H2", P2, "counter", "2025-03-02 08:00", "2025-04-02 17:00", "returned", "2025-04-05 10:00", "late",
       original_due="2025-03-16 17:00", supplements=1, supplement_requested="2025-03-05 09:00",
       paused_seconds=4 * 86400),
     [step("request_supplement", "2025-03-05 09:00", "processing", "supplement_requested"),
      step("receive_supplement", "2025-03-09 09:00", "supplement_requested", "processing",
           old_due=_iso("2025-03-16 17:00"), new_due=_iso("2025-04-02 17:00")),
      step("result_ready", "2025-04-05 10:00", "processing", "result_ready")]),
    # H3: supplement asked and completed in February, result 12/02 before the appointment:
    # resolved early in Q1.
    (D("H3", P2, "counter", "2025-02-03 08:00", "2025-02-14 17:00", "returned", "2025-02-12 10:00", "early",
       original_due="2025-02-10 17:00", supplements=1, supplement_requested="2025-02-05 09:00",
       paused_seconds=2 * 86400),
     [step("request_supplement", "2025-02-05 09:00", "processing", "supplement_requested"),
      step("receive_supplement", "2025-02-07 09:00", "supplement_requested", "processing",
           old_due=_iso("2025-02-10 17:00"), new_due=_iso("2025-02-14 17:00")),
      step("result_ready", "2025-02-12 10:00", "processing", "result_ready"),
      step("return_result", "2025-02-13 10:00", "result_ready", "returned")]),
    # H4: supplement asked and completed in February (appointment 05/03), result only on
    # 20/04. At 31/03: in progress and overdue (05/03 passed); late in Q2.
    (D("H4", P2, "counter", "2025-02-10 08:00", "2025-03-05 17:00", "returned", "2025-04-20 10:00", "late",
       original_due="2025-02-20 17:00", supplements=1, supplement_requested="2025-02-12 09:00",
       paused_seconds=2 * 86400),
     [step("request_supplement", "2025-02-12 09:00", "processing", "supplement_requested"),
      step("receive_supplement", "2025-02-14 09:00", "supplement_requested", "processing",
           old_due=_iso("2025-02-20 17:00"), new_due=_iso("2025-03-05 17:00")),
      step("result_ready", "2025-04-20 10:00", "processing", "result_ready")]),
    # H5: one supplement in March (appointment 10/04), a second request on 02/04 still
    # pending. At 31/03: one request only, in progress within 10/04; in Q2: waiting, late
    # (two requests).
    (D("H5", P2, "counter", "2025-03-10 08:00", "2025-04-10 17:00", "supplement_requested",
       original_due="2025-03-25 17:00", supplements=2, supplement_requested="2025-04-02 09:00",
       paused_seconds=2 * 86400),
     [step("request_supplement", "2025-03-12 09:00", "processing", "supplement_requested"),
      step("receive_supplement", "2025-03-14 09:00", "supplement_requested", "processing",
           old_due=_iso("2025-03-25 17:00"), new_due=_iso("2025-04-10 17:00")),
      step("request_supplement", "2025-04-02 09:00", "processing", "supplement_requested")]),
    # H6: no supplement, appointment 25/03, returned 03/04. At 31/03: in progress, overdue.
    (D("H6", P2, "counter", "2025-03-16 08:00", "2025-03-25 17:00", "returned", "2025-04-03 10:00", "late"),
     [step("result_ready", "2025-04-03 10:00", "processing", "result_ready")]),
    # H7: apology on 15/03 moved the appointment from 20/03 to 05/04; result 04/04.
    # At 31/03: in progress within the new appointment.
    (D("H7", P2, "counter", "2025-03-01 08:00", "2025-04-05 17:00", "returned", "2025-04-04 10:00", "early",
       original_due="2025-03-20 17:00"),
     [step("extend", "2025-03-15 09:00", "processing", "processing",
           old_due=_iso("2025-03-20 17:00"), new_due=_iso("2025-04-05 17:00")),
      step("result_ready", "2025-04-04 10:00", "processing", "result_ready")]),
]
HISTORY_AS_OF = L("2025-07-10 09:00")
# (received, online, counter, post, carried, resolved, early, on_time, late,
#  open, within, overdue, waiting, withdrawn, on_time_num)
EXPECTED_HISTORY = {
    # H3 resolved early; H2, H5, H7 within; H4, H6 overdue; H1 waiting (late); on time: H3 H2 H5 H7
    "2025-Q1": (7, 0, 7, 0, 0, 1, 1, 0, 0, 5, 3, 2, 1, 0, 4),
    # carried H1 H2 H4 H5 H6 H7; resolved H1 H7 early, H2 H4 H6 late; H5 waiting (two requests)
    "2025-Q2": (6, 0, 0, 0, 6, 5, 2, 0, 3, 0, 0, 0, 1, 0, 2),
    # H1 waiting late; H2 H5 H7 within; H4 H6 overdue; H3 finished in February
    "2025-03": (6, 0, 5, 0, 1, 0, 0, 0, 0, 5, 3, 2, 1, 0, 3),
    # H3 early; H4 in progress, its restarted appointment 05/03 still ahead
    "2025-02": (2, 0, 2, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 2),
}


def insert_history(db, cases=HISTORY) -> dict[str, Dossier]:
    """Insert the dossiers of ``cases`` and their events."""
    from commune_desk.store.models import DossierEvent

    rows = insert(db, [spec for spec, _steps in cases], [])
    with db.write(capture_changes=False) as s:
        for spec, steps in cases:
            for kind, at, src, dst, data in steps:
                s.add(DossierEvent(office_code=spec.office, dossier_id=rows[spec.key].id, kind=kind, at=L(at),
                                   from_status=src, to_status=dst, data=data))
    return rows
