"""The dossier's life as pure rules: the worked cases of the issue (Tết 2026 in between)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from commune_desk.domain.calendar import DueRule, WorkCalendar, to_local, to_utc
from commune_desk.domain.lifecycle import (
    Action,
    DossierState,
    EventLine,
    FlowEnv,
    LifecycleError,
    Status,
    apply,
    check_transition,
    handoff_steps,
    is_overdue,
    legal_actions,
)
from commune_desk.domain.timeliness import (
    Outcome,
    TimeRules,
    apology_last_day,
    classify,
    effective_seconds,
    forwarding_deadline,
)

TET_2026 = {date(2026, 2, d): "off" for d in range(14, 23)}


def local(*args) -> datetime:
    """Aware UTC from a Vietnamese local time."""
    return to_utc(datetime(*args))


@pytest.fixture
def env() -> FlowEnv:
    return FlowEnv(cal=WorkCalendar(TET_2026), rules=TimeRules(), due_rule=DueRule("working_days", 3, False))


@pytest.fixture
def received() -> DossierState:
    """Received Friday 13 Feb 2026 at 15:30 for a 3-working-day procedure: Tết (14–22 Feb)
    lies between, so the appointment is Wednesday 25 Feb at 17:00."""
    at = local(2026, 2, 13, 15, 30)
    due = local(2026, 2, 25, 17, 0)
    return DossierState(status=Status.RECEIVED, received_at=at, due_at=due, original_due_at=due,
                        handler_name=None, holder_since=at, last_event_at=at)


def step(state, action, at, env, **data):
    return apply(state, action, at, data, env).state


def test_appointment_over_tet_is_wednesday_25_february(env):
    from commune_desk.domain.calendar import appointment

    due = appointment(env.cal, datetime(2026, 2, 13, 15, 30), env.due_rule)
    assert due == datetime(2026, 2, 25, 17, 0)


def test_supplement_on_day_two_answered_four_days_later_restarts_the_clock(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="Nguyễn Văn Hộ")
    assert s.status == Status.PROCESSING and s.handler_name == "Nguyễn Văn Hộ"
    result = apply(s, "request_supplement", local(2026, 2, 24, 10, 0),
                   {"items": ["Bản sao giấy chứng sinh"], "reason": "Thiếu giấy chứng sinh"}, env)
    s = result.state
    assert s.status == Status.SUPPLEMENT_REQUESTED and s.supplement_count == 1
    assert result.facts["notice_late"] is False           # within 3 working days of 23 Feb
    assert result.facts["complete_by"] == "2026-03-11"      # 15 days after 24 Feb
    # the clock is paused: not overdue even after the old appointment
    assert not is_overdue(s.status, s.due_at, local(2026, 2, 26, 9, 0))
    result = apply(s, "receive_supplement", local(2026, 2, 28, 10, 0), {}, env)
    s = result.state
    assert s.status == Status.PROCESSING
    assert s.supplement_paused_seconds == 4 * 24 * 3600
    # restart from zero: received (in effect) Saturday 28 Feb -> counts from Monday 2 Mar -> Thursday 5 Mar
    assert to_local(s.due_at) == datetime(2026, 3, 5, 17, 0)
    assert to_local(s.original_due_at) == datetime(2026, 2, 25, 17, 0)
    s = step(s, "result_ready", local(2026, 3, 4, 16, 0), env, result_number="12/TP-HT", signer_name="Lê Văn Ký")
    assert s.outcome == Outcome.EARLY and s.finished_at == local(2026, 3, 4, 16, 0)
    total = int((s.finished_at - s.received_at).total_seconds())
    assert effective_seconds(s.received_at, s.finished_at, s.supplement_paused_seconds) == total - 4 * 86400


def test_second_supplement_request_is_refused(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="A")
    s = step(s, "request_supplement", local(2026, 2, 24, 10, 0), env, items=["x"], reason="thiếu")
    s = step(s, "receive_supplement", local(2026, 2, 25, 10, 0), env)
    with pytest.raises(LifecycleError, match="Chỉ được yêu cầu bổ sung hồ sơ 1 lần"):
        step(s, "request_supplement", local(2026, 2, 26, 10, 0), env, items=["y"], reason="thiếu nữa")


def test_an_office_allowing_two_supplements_still_counts_the_dossier_late(received, env):
    two = FlowEnv(env.cal, TimeRules(max_supplements=2), env.due_rule)
    s = step(received, "assign", local(2026, 2, 23, 8, 0), two, to_name="A")
    for day in (24, 26):
        s = step(s, "request_supplement", local(2026, 2, day, 9, 0), two, items=["x"], reason="thiếu")
        s = step(s, "receive_supplement", local(2026, 2, day, 15, 0), two)
    s = step(s, "result_ready", local(2026, 2, 27, 8, 0), two, result_number="1", signer_name="B")
    assert s.outcome == Outcome.LATE   # Decision 766: more than one supplement request


def test_supplement_unanswered_for_fifteen_days_is_closed(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="A")
    s = step(s, "request_supplement", local(2026, 2, 24, 10, 0), env, items=["x"], reason="thiếu")
    with pytest.raises(LifecycleError, match="11/03/2026"):
        step(s, "close", local(2026, 3, 11, 23, 0), env)          # the 15th day: still allowed to complete
    with pytest.raises(LifecycleError, match="quá hạn bổ sung"):
        step(s, "receive_supplement", local(2026, 3, 12, 8, 0), env)
    closed = step(s, "close", local(2026, 3, 12, 6, 0), env)
    assert closed.status == Status.CLOSED
    assert closed.finished_at == local(2026, 3, 12, 6, 0)
    # the pause runs until the closing; the office's part ended with the request (on time)
    assert closed.supplement_paused_seconds == int((local(2026, 3, 12, 6, 0) - local(2026, 2, 24, 10, 0))
                                                   .total_seconds())
    assert closed.outcome == Outcome.EARLY
    with pytest.raises(LifecycleError):
        step(closed, "receive_supplement", local(2026, 3, 13, 8, 0), env)


def test_apology_on_the_due_day_is_refused_one_day_before_accepted(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="A")
    with pytest.raises(LifecycleError, match="24/02/2026"):
        step(s, "extend", local(2026, 2, 25, 8, 0), env, reason="Cần xác minh", new_due=date(2026, 3, 2),
             signer_name="Chủ tịch")
    ok = apply(s, "extend", local(2026, 2, 24, 16, 0),
               {"reason": "Cần xác minh", "new_due": date(2026, 3, 2), "signer_name": "Chủ tịch"}, env)
    assert to_local(ok.state.due_at) == datetime(2026, 3, 2, 17, 0)
    assert ok.state.extension_count == 1
    assert ok.facts["old_due"].startswith("2026-02-25")
    with pytest.raises(LifecycleError, match="1 lần"):
        step(ok.state, "extend", local(2026, 2, 25, 8, 0), env, reason="Nữa", new_due=date(2026, 3, 4),
             signer_name="Chủ tịch")


def test_apology_deadline_counts_working_days_across_tet(env):
    # "at least 1 day before": any day before an appointment on Monday 23 Feb
    assert apology_last_day(env.cal, date(2026, 2, 23), env.rules) == date(2026, 2, 22)
    # 2 working days before it: Tết leaves only Friday 13 Feb in between, so Thursday 12 Feb
    assert apology_last_day(env.cal, date(2026, 2, 23), TimeRules(apology_min_days_before=2)) == date(2026, 2, 12)


@pytest.mark.parametrize(("new_due", "message"), [
    (date(2026, 2, 20), "không được trước hôm nay"),
    (date(2026, 2, 25), "phải sau ngày hẹn hiện tại"),
    (date(2026, 2, 28), "là ngày nghỉ"),
    ("30/02/2026", "không hợp lệ"),
])
def test_bad_new_appointment_is_refused(received, env, new_due, message):
    with pytest.raises(LifecycleError, match=message) as info:
        step(received, "extend", local(2026, 2, 23, 9, 0), env, reason="r", new_due=new_due, signer_name="s")
    assert info.value.field == "new_due"


def test_refusal_needs_a_reason(received, env):
    with pytest.raises(LifecycleError, match="Lý do") as info:
        step(received, "refuse", local(2026, 2, 23, 9, 0), env, reason="   ")
    assert info.value.field == "reason"
    s = step(received, "refuse", local(2026, 2, 23, 9, 0), env, reason="Không thuộc thẩm quyền")
    assert s.status == Status.REFUSED and s.outcome == Outcome.EARLY


def test_return_before_result_ready_is_refused(received, env):
    with pytest.raises(LifecycleError, match="chưa có kết quả"):
        step(received, "return_result", local(2026, 2, 23, 9, 0), env, received_by="Trần Thị B")


def test_history_is_never_rewritten(received, env):
    with pytest.raises(LifecycleError, match="sớm hơn"):
        step(received, "assign", local(2026, 2, 13, 15, 0), env, to_name="A")


def test_withdrawal_request_can_be_cancelled_back_to_the_status_before(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="A")
    s = step(s, "request_withdrawal", local(2026, 2, 23, 9, 0), env, request="Xin rút")
    assert s.status == Status.WITHDRAWAL_REQUESTED
    assert is_overdue(s.status, s.due_at, local(2026, 2, 26, 8, 0))
    back = step(s, "cancel_withdrawal", local(2026, 2, 23, 10, 0), env)
    assert back.status == Status.PROCESSING
    gone = step(s, "withdraw", local(2026, 2, 23, 10, 0), env, returned_to="Trần Thị B")
    assert gone.status == Status.WITHDRAWN and gone.finished_at is not None
    assert legal_actions(gone.status) == [Action.RATE]


def test_stop_while_waiting_for_a_supplement_ends_the_pause(received, env):
    s = step(received, "assign", local(2026, 2, 23, 8, 0), env, to_name="A")
    s = step(s, "request_supplement", local(2026, 2, 24, 10, 0), env, items=["x"], reason="thiếu")
    s = step(s, "stop", local(2026, 2, 26, 10, 0), env, reason="Công dân đề nghị dừng")
    assert s.status == Status.STOPPED and s.supplement_paused_seconds == 2 * 86400


def test_illegal_transitions_name_the_current_status():
    with pytest.raises(LifecycleError, match="Đã trả kết quả"):
        check_transition("refuse", "returned")
    with pytest.raises(LifecycleError):
        check_transition("fly", "received")


@pytest.mark.parametrize(("end", "outcome"), [
    (datetime(2026, 2, 24, 23, 59), Outcome.EARLY),
    (datetime(2026, 2, 25, 0, 1), Outcome.ON_TIME),
    (datetime(2026, 2, 25, 17, 0), Outcome.ON_TIME),
    (datetime(2026, 2, 25, 17, 1), Outcome.LATE),
    (datetime(2026, 3, 2, 8, 0), Outcome.LATE),
])
def test_early_on_time_late_by_day_and_printed_hour(end, outcome):
    assert classify(end, datetime(2026, 2, 25, 17, 0)) == outcome


def test_forwarding_deadline_after_three_pm_is_the_next_working_day(env):
    before = forwarding_deadline(env.cal, datetime(2026, 2, 13, 14, 0), cutoff=time(15), work_end=time(17))
    after = forwarding_deadline(env.cal, datetime(2026, 2, 13, 15, 30), cutoff=time(15), work_end=time(17))
    assert before == datetime(2026, 2, 13, 17, 0)
    assert after == datetime(2026, 2, 23, 17, 0)


def test_handoff_steps_record_each_holder_and_the_result_coming_back(received):
    t0 = received.received_at
    events = [
        EventLine("assign", local(2026, 2, 23, 8, 0), "Lê Thị Tiếp", {"to_name": "Công chức Tư pháp - Hộ tịch",
                                                                      "deadline": local(2026, 2, 24, 17).isoformat()}),
        EventLine("assign", local(2026, 2, 25, 9, 0), "Công chức Tư pháp - Hộ tịch",
                  {"to_name": "Phòng Tư pháp", "to_agency": "UBND tỉnh", "deadline": local(2026, 2, 25, 17).isoformat()}),
        EventLine("result_ready", local(2026, 2, 25, 16, 0), "Phòng Tư pháp", {}),
        EventLine("return_result", local(2026, 2, 26, 8, 0), "Lê Thị Tiếp", {}),
    ]
    desk_deadline = datetime(2026, 2, 23, 17, 0)
    steps = handoff_steps(t0, "Lê Thị Tiếp", "Trung tâm", desk_deadline, events)
    assert [(s.holder, s.passed_to) for s in steps] == [
        ("Trung tâm", "Công chức Tư pháp - Hộ tịch"), ("Công chức Tư pháp - Hộ tịch", "Phòng Tư pháp"),
        ("Phòng Tư pháp", "Trung tâm")]
    assert [s.outcome for s in steps] == [Outcome.ON_TIME, Outcome.LATE, Outcome.ON_TIME]
    assert steps[2].agency == "UBND tỉnh"


def test_overdue_is_derived_from_the_running_clock(received):
    after = received.due_at + timedelta(minutes=1)
    assert is_overdue("received", received.due_at, after)
    assert not is_overdue("received", received.due_at, received.due_at)
    assert not is_overdue("result_ready", received.due_at, after)
    assert not is_overdue("supplement_requested", received.due_at, after)
    assert received.due_at.tzinfo is UTC or received.due_at.utcoffset() == timedelta(0)
