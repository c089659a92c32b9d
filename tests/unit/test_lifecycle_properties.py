"""Property tests: random sequences of steps through the pure reducer never break the rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commune_desk.domain.calendar import DueRule, WorkCalendar, to_local, to_utc
from commune_desk.domain.lifecycle import (
    FINISHING,
    PREVIOUS,
    SAME,
    TERMINAL,
    TRANSITIONS,
    Action,
    DossierState,
    FlowEnv,
    LifecycleError,
    Status,
    apply,
)
from commune_desk.domain.timeliness import TimeRules

TET_2026 = {date(2026, 2, d): "off" for d in range(14, 23)}
CAL = WorkCalendar(TET_2026)
START = to_utc(datetime(2026, 2, 9, 9, 0))

# weighted so that long lives (supplements, extensions, closing) are common, endings rarer
WEIGHTS = {"assign": 3, "request_supplement": 3, "receive_supplement": 3, "extend": 4, "close": 2,
           "result_ready": 2, "return_result": 2, "request_obligation": 2, "obligation_done": 2, "rate": 1,
           "stop": 1, "refuse": 1, "request_withdrawal": 1, "cancel_withdrawal": 1, "withdraw": 1}
ACTIONS = [a for a, w in WEIGHTS.items() for _i in range(w)]
assert set(WEIGHTS) == {a.value for a in Action}


def data_for(due: datetime | None, shift_days: int, blank: bool) -> dict:
    if blank:
        return {"reason": " ", "to_name": "", "items": [], "received_by": None}
    base_due = to_local(due).date() if due else date(2026, 2, 20)
    return {
        "to_name": "Cán bộ A", "items": ["Giấy tờ thiếu"], "reason": "Lý do", "description": "Nộp thuế",
        "new_due": base_due + timedelta(days=shift_days), "signer_name": "Chủ tịch", "request": "Xin rút",
        "returned_to": "Công dân", "result_number": "01/QĐ", "received_by": "Công dân",
    }


steps_strategy = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from([0, 1, 30, 90, 240, 1440, 2880, 8640, 23040]),
              st.integers(min_value=-3, max_value=12), st.integers(min_value=0, max_value=5).map(lambda n: n == 0)),
    min_size=1, max_size=25)


@settings(max_examples=400)
@given(steps=steps_strategy, days=st.integers(min_value=0, max_value=10),
       max_supplements=st.integers(min_value=1, max_value=2))
def test_random_sequences_keep_every_rule(steps, days, max_supplements):
    rule = DueRule("working_days", days, False)
    rules = TimeRules(max_supplements=max_supplements)
    env = FlowEnv(cal=CAL, rules=rules, due_rule=rule)
    from commune_desk.domain.calendar import appointment

    due = to_utc(appointment(CAL, to_local(START), rule))
    state = DossierState(status=Status.RECEIVED, received_at=START, due_at=due, original_due_at=due,
                         holder_since=START, last_event_at=START)
    now = START
    expected_pause = 0
    requested_at = None
    for action, minutes, shift, blank in steps:
        now = now + timedelta(minutes=minutes)
        before = state
        try:
            result = apply(state, action, now, data_for(state.due_at, shift, blank), env)
        except LifecycleError:
            assert state == before  # a refused step changes nothing (frozen state)
            continue
        state = result.state
        t = TRANSITIONS[Action(action)]
        # only legal transitions, from a status the table allows, to the status it names
        assert before.status in t.sources
        if before.status in TERMINAL:  # a terminal status is never left (a rating may still come)
            assert state.status == before.status and action == Action.RATE
        if t.target == SAME:
            assert state.status == before.status
        elif t.target == PREVIOUS:
            assert before.status == Status.WITHDRAWAL_REQUESTED
            assert state.status in (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL_OBLIGATION)
        else:
            assert state.status == t.target
        # the appointment never moves earlier (no action here brings it forward)
        assert state.due_at >= before.due_at
        assert state.original_due_at == before.original_due_at
        # at most the allowed number of extensions; supplements counted
        assert state.extension_count <= rules.max_extensions
        assert state.supplement_count <= max_supplements
        # supplement pauses, recomputed independently from the steps taken
        if state.status == Status.SUPPLEMENT_REQUESTED and before.status != Status.SUPPLEMENT_REQUESTED:
            requested_at = now
        if before.status == Status.SUPPLEMENT_REQUESTED and state.status != Status.SUPPLEMENT_REQUESTED:
            expected_pause += int((now - requested_at).total_seconds())
            requested_at = None
        assert state.supplement_paused_seconds == expected_pause
        # finished once, with an outcome, when the office's work ended
        if state.status in FINISHING:
            assert state.finished_at is not None and state.outcome is not None
            if before.finished_at is not None:
                assert (state.finished_at, state.outcome) == (before.finished_at, before.outcome)
        else:
            assert state.finished_at is None and state.outcome is None
        if state.status == Status.RETURNED:
            assert state.result_ready_at is not None and state.returned_at >= state.result_ready_at
        assert state.last_event_at == now
