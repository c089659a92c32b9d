"""A dossier's life as a state machine (pure: no database, no Qt).

Statuses follow FACTS.md section 3 (the national portal's codes, in brackets):

    received (2) ─assign─▶ processing (4) ─result_ready─▶ result_ready (9) ─return─▶ returned (10)
                              │  ▲   ▲                                         (terminal)
      request_supplement ─────┘  │   └──── obligation_done ◀── financial_obligation (6)
      supplement_requested (5) ──┘ receive_supplement     ▲── request_obligation
      ... ─request_withdrawal─▶ withdrawal_requested (7) ─withdraw─▶ withdrawn (terminal)
                                                  └─cancel_withdrawal─▶ (the status before)
      open ─refuse─▶ refused (3)   open ─stop─▶ stopped (8)   supplement_requested ─close─▶ closed

Two terminal statuses are added to the portal's list, because they are different facts
that the reports and the forms must tell apart:

- ``withdrawn``: the citizen asked to withdraw (status 7) and took the papers back. The
  portal has "Đã rút hồ sơ" among provincial internal states, and Decision 766 counts a
  withdrawal of an accepted dossier as terminal. ``stopped`` is the agency's formal stop at
  the citizen's request, with its own notice (TT 03/2025 Mẫu 05).
- ``closed``: Decree 118/2025 art. 19.5 closes a dossier whose supplement did not come
  within 15 days. Nobody asked for it (not a stop) and nothing was refused.
Both map to portal code 8 (Dừng xử lý) when exported.

"Overdue" is never stored: :func:`is_overdue` derives it from the status and appointment.

Transitions are data (:data:`TRANSITIONS`): action → statuses it may start from → status it
leads to → data it must carry. :func:`apply` is the one reducer the service runs (and the
property tests drive): it refuses an illegal step with a translated reason
(:class:`LifecycleError`, a ``ValidationError``) and otherwise returns the new
:class:`DossierState` plus the facts to record in the step's event. History is never
rewritten: a step may not be dated before the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from commune_desk.domain.calendar import DueRule, WorkCalendar, appointment, to_local, to_utc
from commune_desk.domain.timeliness import (
    Outcome,
    Step,
    TimeRules,
    apology_in_time,
    apology_last_day,
    classify,
    new_appointment_problem,
    pause_seconds,
    restart_appointment,
    supplement_expired,
    supplement_last_day,
    supplement_notice_deadline,
)
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _


class Status(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FINANCIAL_OBLIGATION = "financial_obligation"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    STOPPED = "stopped"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: N_("Mới tiếp nhận"),
    Status.PROCESSING: N_("Đang xử lý"),
    Status.SUPPLEMENT_REQUESTED: N_("Chờ bổ sung hồ sơ"),
    Status.FINANCIAL_OBLIGATION: N_("Chờ thực hiện nghĩa vụ tài chính"),
    Status.WITHDRAWAL_REQUESTED: N_("Công dân yêu cầu rút hồ sơ"),
    Status.STOPPED: N_("Dừng giải quyết"),
    Status.RESULT_READY: N_("Đã có kết quả, chờ trả"),
    Status.RETURNED: N_("Đã trả kết quả"),
    Status.REFUSED: N_("Từ chối giải quyết"),
    Status.WITHDRAWN: N_("Đã rút hồ sơ"),
    Status.CLOSED: N_("Đã đóng do không bổ sung"),
}

# National portal (DVCQG) status codes, FACTS.md section 3.
PORTAL_CODES: dict[Status, int] = {
    Status.RECEIVED: 2, Status.REFUSED: 3, Status.PROCESSING: 4, Status.SUPPLEMENT_REQUESTED: 5,
    Status.FINANCIAL_OBLIGATION: 6, Status.WITHDRAWAL_REQUESTED: 7, Status.STOPPED: 8,
    Status.RESULT_READY: 9, Status.RETURNED: 10, Status.WITHDRAWN: 8, Status.CLOSED: 8,
}

TERMINAL = frozenset({Status.RETURNED, Status.REFUSED, Status.STOPPED, Status.WITHDRAWN, Status.CLOSED})
# Reaching one of these ends the office's work: ``finished_at`` and ``outcome`` are set then.
FINISHING = TERMINAL | {Status.RESULT_READY}
# The processing clock runs in these (a supplement request stops it).
CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL_OBLIGATION,
                           Status.WITHDRAWAL_REQUESTED})
OPEN = CLOCK_RUNNING | {Status.SUPPLEMENT_REQUESTED}


class Action(StrEnum):
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_OBLIGATION = "request_obligation"
    OBLIGATION_DONE = "obligation_done"
    EXTEND = "extend"
    REFUSE = "refuse"
    REQUEST_WITHDRAWAL = "request_withdrawal"
    CANCEL_WITHDRAWAL = "cancel_withdrawal"
    WITHDRAW = "withdraw"
    STOP = "stop"
    RESULT_READY = "result_ready"
    RETURN_RESULT = "return_result"
    CLOSE = "close"
    RATE = "rate"


SAME = "same"          # the step keeps the status
PREVIOUS = "previous"  # back to the status before the withdrawal request


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | str            # a Status, SAME or PREVIOUS
    required: tuple[str, ...]       # data keys that must be given (non-blank)
    label: str                      # N_() text: the button and the history line
    illegal: str                    # N_() text: why it cannot be done now ({status})
    system_only: bool = False       # done by the software itself (the daily closing)


_ALL = frozenset(Status)
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    Transition(Action.ASSIGN, frozenset({Status.RECEIVED, Status.PROCESSING}), Status.PROCESSING,
               ("to_name",), N_("Phân công, chuyển xử lý"),
               N_("Chỉ chuyển xử lý được hồ sơ mới tiếp nhận hoặc đang xử lý (hiện tại: {status}).")),
    Transition(Action.REQUEST_SUPPLEMENT, frozenset({Status.PROCESSING}), Status.SUPPLEMENT_REQUESTED,
               ("items", "reason"), N_("Yêu cầu bổ sung hồ sơ"),
               N_("Chỉ yêu cầu bổ sung được khi hồ sơ đang được thẩm định, xử lý (hiện tại: {status}).")),
    Transition(Action.RECEIVE_SUPPLEMENT, frozenset({Status.SUPPLEMENT_REQUESTED}), Status.PROCESSING,
               (), N_("Nhận hồ sơ đã bổ sung"),
               N_("Hồ sơ không chờ bổ sung (hiện tại: {status}).")),
    Transition(Action.REQUEST_OBLIGATION, frozenset({Status.PROCESSING}), Status.FINANCIAL_OBLIGATION,
               ("description",), N_("Thông báo nghĩa vụ tài chính"),
               N_("Chỉ thông báo nghĩa vụ tài chính khi hồ sơ đang xử lý (hiện tại: {status}).")),
    Transition(Action.OBLIGATION_DONE, frozenset({Status.FINANCIAL_OBLIGATION}), Status.PROCESSING,
               (), N_("Đã thực hiện nghĩa vụ tài chính"),
               N_("Hồ sơ không chờ thực hiện nghĩa vụ tài chính (hiện tại: {status}).")),
    Transition(Action.EXTEND, frozenset({Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL_OBLIGATION}), SAME,
               ("reason", "new_due", "signer_name"), N_("Xin lỗi, hẹn lại ngày trả"),
               N_("Không thể xin lỗi, hẹn lại khi hồ sơ ở trạng thái {status}.")),
    Transition(Action.REFUSE, frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
                                         Status.FINANCIAL_OBLIGATION}), Status.REFUSED,
               ("reason",), N_("Từ chối giải quyết"),
               N_("Không thể từ chối hồ sơ ở trạng thái {status}.")),
    Transition(Action.REQUEST_WITHDRAWAL, frozenset({Status.RECEIVED, Status.PROCESSING,
                                                     Status.FINANCIAL_OBLIGATION}),
               Status.WITHDRAWAL_REQUESTED, ("request",), N_("Công dân yêu cầu rút hồ sơ"),
               N_("Không thể ghi yêu cầu rút hồ sơ ở trạng thái {status}.")),
    Transition(Action.CANCEL_WITHDRAWAL, frozenset({Status.WITHDRAWAL_REQUESTED}), PREVIOUS,
               (), N_("Công dân thôi rút hồ sơ"),
               N_("Hồ sơ không có yêu cầu rút (hiện tại: {status}).")),
    Transition(Action.WITHDRAW, frozenset({Status.WITHDRAWAL_REQUESTED}), Status.WITHDRAWN,
               ("returned_to",), N_("Trả lại hồ sơ cho công dân (rút hồ sơ)"),
               N_("Chỉ trả lại hồ sơ khi công dân đã yêu cầu rút (hiện tại: {status}).")),
    Transition(Action.STOP, frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
                                       Status.FINANCIAL_OBLIGATION, Status.WITHDRAWAL_REQUESTED}), Status.STOPPED,
               ("reason",), N_("Dừng giải quyết theo đề nghị"),
               N_("Không thể dừng giải quyết hồ sơ ở trạng thái {status}.")),
    Transition(Action.RESULT_READY, frozenset({Status.PROCESSING}), Status.RESULT_READY,
               ("result_number", "signer_name"), N_("Ghi nhận đã có kết quả"),
               N_("Chỉ ghi nhận kết quả khi hồ sơ đang xử lý (hiện tại: {status}).")),
    Transition(Action.RETURN_RESULT, frozenset({Status.RESULT_READY}), Status.RETURNED,
               ("received_by",), N_("Trả kết quả"),
               N_("Chưa thể trả kết quả: hồ sơ chưa có kết quả (hiện tại: {status}).")),
    Transition(Action.CLOSE, frozenset({Status.SUPPLEMENT_REQUESTED}), Status.CLOSED,
               (), N_("Đóng hồ sơ do không bổ sung đúng hạn"),
               N_("Chỉ đóng được hồ sơ đang chờ bổ sung (hiện tại: {status})."), system_only=True),
    Transition(Action.RATE, _ALL, SAME, (), N_("Ghi nhận đánh giá của công dân"), ""),
)}

# Steps that end the current holder's turn (their early / on time / late is recorded).
STEP_ENDS = frozenset({Action.ASSIGN, Action.RESULT_READY, Action.REFUSE, Action.STOP, Action.WITHDRAW})

# The order the buttons appear in.
ACTION_ORDER = (Action.ASSIGN, Action.REQUEST_SUPPLEMENT, Action.RECEIVE_SUPPLEMENT, Action.REQUEST_OBLIGATION,
                Action.OBLIGATION_DONE, Action.RESULT_READY, Action.RETURN_RESULT, Action.EXTEND,
                Action.REQUEST_WITHDRAWAL, Action.CANCEL_WITHDRAWAL, Action.WITHDRAW, Action.STOP, Action.REFUSE,
                Action.RATE, Action.CLOSE)

# Each data field's name as the clerk sees it (for "… is required" messages).
FIELD_LABELS: dict[str, str] = {
    "to_name": N_("Người/cơ quan nhận"),
    "items": N_("Nội dung cần bổ sung"),
    "reason": N_("Lý do"),
    "description": N_("Nội dung nghĩa vụ tài chính"),
    "new_due": N_("Ngày hẹn trả mới"),
    "signer_name": N_("Người ký"),
    "request": N_("Nội dung đề nghị của công dân"),
    "returned_to": N_("Người nhận lại hồ sơ"),
    "result_number": N_("Số, ký hiệu văn bản kết quả"),
    "received_by": N_("Người nhận kết quả"),
}


class LifecycleError(ValidationError):
    """A step refused: illegal from the current status, missing data, or against a time rule."""


def status_label(status: str) -> str:
    try:
        return _(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


def action_label(action: str) -> str:
    return _(TRANSITIONS[Action(action)].label)


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Derived, never stored: the clock runs and the appointment has passed."""
    return due_at is not None and Status(status) in CLOCK_RUNNING and now > due_at


def legal_actions(status: str, *, include_system: bool = False) -> list[Action]:
    """The actions whose source statuses include ``status``, in button order."""
    st = Status(status)
    return [a for a in ACTION_ORDER if st in TRANSITIONS[a].sources
            and (include_system or not TRANSITIONS[a].system_only)]


def check_transition(action: str, status: str) -> Transition:
    """The transition for ``action`` from ``status``, or LifecycleError with the reason."""
    try:
        transition = TRANSITIONS[Action(action)]
    except ValueError:
        raise LifecycleError(_("Thao tác không hợp lệ: {action}").format(action=action)) from None
    if Status(status) not in transition.sources:
        raise LifecycleError(_(transition.illegal).format(status=status_label(status)), field="status")
    return transition


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return not value
    if isinstance(value, (list, tuple, set)):
        return all(_blank(v) for v in value)
    return False


def check_required(transition: Transition, data: dict[str, Any]) -> None:
    for key in transition.required:
        if _blank(data.get(key)):
            raise LifecycleError(_("Hãy nhập: {field}.").format(field=_(FIELD_LABELS.get(key, key))), field=key)


# -- the state the reducer works on --------------------------------------------------------
@dataclass(frozen=True)
class DossierState:
    """The lifecycle columns of a dossier (aware UTC times), as the reducer sees them."""

    status: Status
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None = None
    supplement_count: int = 0
    supplement_requested_at: datetime | None = None
    supplement_paused_seconds: int = 0
    extension_count: int = 0
    result_ready_at: datetime | None = None
    returned_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    handler_id: Any = None
    handler_name: str | None = None
    holder_since: datetime | None = None     # when the current holder received it (last hand-off)
    status_before_withdrawal: Status | None = None
    last_event_at: datetime | None = None
    step_deadline: datetime | None = None    # the current holder's deadline (see handoff_steps)


@dataclass(frozen=True)
class FlowEnv:
    """What the time rules need: the office's calendar and numbers, the procedure's rule."""

    cal: WorkCalendar
    rules: TimeRules
    due_rule: DueRule
    cutoff: time = time(15, 0)
    cutoff_moves_multi_day: bool = False
    appointment_time: time = time(17, 0)


@dataclass(frozen=True)
class StepResult:
    state: DossierState
    transition: Transition
    facts: dict[str, Any] = field(default_factory=dict)   # computed facts for the event's data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def parse_moment(value: Any, default_time: time) -> datetime:
    """A new appointment as given: aware UTC datetime, naive local datetime, a date (at the
    printed hour) or an ISO string of those. Returns aware UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
        except ValueError:
            raise LifecycleError(_("Ngày hẹn mới không hợp lệ: {value}").format(value=text), field="new_due") from None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return to_utc(datetime.combine(value, default_time))
    raise LifecycleError(_("Ngày hẹn mới không hợp lệ: {value}").format(value=value), field="new_due")


def _finish(state: DossierState, at: datetime) -> DossierState:
    """The first time the office's work ends: finished_at, outcome, and the supplement pause
    if the dossier was waiting for one."""
    paused = state.supplement_paused_seconds
    end = at
    if state.status == Status.SUPPLEMENT_REQUESTED and state.supplement_requested_at is not None:
        paused += pause_seconds(state.supplement_requested_at, at)
        end = state.supplement_requested_at
    if state.finished_at is not None:
        return replace(state, supplement_paused_seconds=paused)
    outcome = None
    if state.due_at is not None:
        outcome = classify(to_local(end), to_local(state.due_at), supplement_count=state.supplement_count)
    return replace(state, finished_at=at, outcome=outcome, supplement_paused_seconds=paused)


def apply(state: DossierState, action: str, at: datetime, data: dict[str, Any], env: FlowEnv) -> StepResult:
    """One step of the dossier's life. Raises LifecycleError (nothing changes) when it is
    illegal; otherwise the new state and the facts to keep in the event."""
    transition = check_transition(action, state.status)
    check_required(transition, data)
    if at.tzinfo is None:
        raise ValueError("apply() needs an aware datetime")
    if state.last_event_at is not None and at < state.last_event_at:
        raise LifecycleError(_("Thời điểm {when} sớm hơn bước trước của hồ sơ ({last}): không sửa được lịch sử.")
                             .format(when=to_local(at).strftime("%H:%M %d/%m/%Y"),
                                     last=to_local(state.last_event_at).strftime("%H:%M %d/%m/%Y")), field="at")
    act = Action(action)
    local = to_local(at)
    facts: dict[str, Any] = {}
    new = state
    if act in STEP_ENDS and state.step_deadline is not None:
        # the holder's turn ends here: early / on time / late against that step's deadline
        facts["step_outcome"] = classify(local, to_local(state.step_deadline)).value

    if act == Action.ASSIGN:
        deadline = data.get("deadline")
        if deadline is not None:
            deadline_utc = parse_moment(deadline, env.appointment_time)
            if deadline_utc < at:
                raise LifecycleError(_("Hạn xử lý của bước này đã qua."), field="deadline")
            facts["deadline"] = _iso(deadline_utc)
        else:
            facts["deadline"] = _iso(state.due_at)
        facts["from_name"] = state.handler_name
        new = replace(state, handler_id=data.get("to_id"), handler_name=str(data["to_name"]).strip(),
                      holder_since=at, step_deadline=parse_moment(facts["deadline"], env.appointment_time)
                      if facts["deadline"] else None)

    elif act == Action.REQUEST_SUPPLEMENT:
        if state.supplement_count >= env.rules.max_supplements:
            raise LifecycleError(_("Chỉ được yêu cầu bổ sung hồ sơ {n} lần, nêu đầy đủ mọi nội dung trong một lần "
                                   "(Nghị định 118/2025). Hồ sơ này đã được yêu cầu bổ sung.")
                                 .format(n=env.rules.max_supplements), field="items")
        agency_received = to_local(state.holder_since or state.received_at)
        last_day = supplement_notice_deadline(env.cal, agency_received, env.rules)
        facts.update(notice_deadline=last_day.isoformat(), notice_late=local.date() > last_day,
                     complete_by=supplement_last_day(local, env.rules).isoformat())
        new = replace(state, supplement_count=state.supplement_count + 1, supplement_requested_at=at)

    elif act == Action.RECEIVE_SUPPLEMENT:
        requested = state.supplement_requested_at or at
        if supplement_expired(to_local(requested), local, env.rules):
            raise LifecycleError(_("Đã quá hạn bổ sung (đến hết ngày {day}): hồ sơ phải đóng; công dân nộp hồ sơ mới.")
                                 .format(day=_vn(supplement_last_day(to_local(requested), env.rules))), field="at")
        paused = pause_seconds(requested, at)
        fresh = to_utc(appointment(env.cal, local, env.due_rule, cutoff=env.cutoff,
                                   cutoff_moves_multi_day=env.cutoff_moves_multi_day,
                                   appointment_time=env.appointment_time))
        due = restart_appointment(fresh, state.due_at)
        facts.update(paused_seconds=paused, old_due=_iso(state.due_at), new_due=_iso(due))
        step_deadline = state.step_deadline
        if step_deadline is not None:
            step_deadline = due if step_deadline == state.due_at else step_deadline + timedelta(seconds=paused)
        new = replace(state, supplement_paused_seconds=state.supplement_paused_seconds + paused, due_at=due,
                      holder_since=at, step_deadline=step_deadline)

    elif act == Action.EXTEND:
        if state.extension_count >= env.rules.max_extensions:
            raise LifecycleError(_("Chỉ được hẹn lại ngày trả kết quả {n} lần; hồ sơ này đã được hẹn lại.")
                                 .format(n=env.rules.max_extensions), field="new_due")
        if state.due_at is None:
            raise LifecycleError(_("Hồ sơ không có ngày hẹn trả để gia hạn."), field="new_due")
        due_day = to_local(state.due_at).date()
        if not apology_in_time(env.cal, local.date(), due_day, env.rules):
            raise LifecycleError(_("Văn bản xin lỗi, gia hạn phải gửi chậm nhất {n} ngày làm việc trước ngày hẹn "
                                   "{due} (muộn nhất ngày {last}); nay đã quá thời hạn đó.")
                                 .format(n=env.rules.apology_min_days_before, due=_vn(due_day),
                                         last=_vn(apology_last_day(env.cal, due_day, env.rules))), field="new_due")
        new_due = parse_moment(data["new_due"], env.appointment_time)
        problem = new_appointment_problem(env.cal, local.date(), to_local(state.due_at), to_local(new_due))
        if problem == "before_today":
            raise LifecycleError(_("Ngày hẹn mới không được trước hôm nay."), field="new_due")
        if problem == "not_later":
            raise LifecycleError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại ({due}).")
                                 .format(due=to_local(state.due_at).strftime("%H:%M %d/%m/%Y")), field="new_due")
        if problem == "day_off":
            raise LifecycleError(_("Ngày hẹn mới {day} là ngày nghỉ; hãy chọn một ngày làm việc.")
                                 .format(day=_vn(to_local(new_due).date())), field="new_due")
        facts.update(old_due=_iso(state.due_at), new_due=_iso(new_due))
        new = replace(state, due_at=new_due, extension_count=state.extension_count + 1)

    elif act == Action.CLOSE:
        requested = state.supplement_requested_at or at
        if not supplement_expired(to_local(requested), local, env.rules):
            raise LifecycleError(_("Công dân còn được bổ sung đến hết ngày {day}; chưa đóng hồ sơ.")
                                 .format(day=_vn(supplement_last_day(to_local(requested), env.rules))), field="at")
        facts["complete_by"] = supplement_last_day(to_local(requested), env.rules).isoformat()

    elif act == Action.REQUEST_WITHDRAWAL:
        new = replace(state, status_before_withdrawal=state.status)

    elif act == Action.RESULT_READY:
        new = replace(state, result_ready_at=at)

    elif act == Action.RETURN_RESULT:
        new = replace(state, returned_at=at)

    # the status move
    if transition.target == SAME:
        target = state.status
    elif transition.target == PREVIOUS:
        target = state.status_before_withdrawal or Status.PROCESSING
        new = replace(new, status_before_withdrawal=None)
    else:
        target = Status(transition.target)
    if target in FINISHING:
        new = _finish(new, at)
        if state.finished_at is None and new.outcome is not None:
            facts["outcome"] = new.outcome.value
    new = replace(new, status=target, last_event_at=at)
    return StepResult(new, transition, facts)


# -- hand-off steps (the processing control slip) ----------------------------------------
@dataclass(frozen=True)
class EventLine:
    """The parts of a dossier event that the control slip needs (aware UTC times)."""

    kind: str
    at: datetime
    actor_name: str | None
    data: dict[str, Any]


def handoff_steps(received_at: datetime, receiver: str, desk_name: str, desk_deadline: datetime | None,
                  events: list[EventLine]) -> list[Step]:
    """Each holder's turn, in order, times in local time. The desk holds the dossier first
    (deadline: the forwarding rule); each ``assign`` passes it on; ``result_ready`` passes it
    back to the desk (the result comes back to the office that received the dossier)."""
    steps: list[Step] = []
    current: Step | None = Step(1, desk_name, None, receiver, to_local(received_at), desk_deadline)
    for ev in sorted(events, key=lambda e: e.at):
        if current is None:
            break
        if ev.kind == Action.ASSIGN:
            to = str(ev.data.get("to_name") or "")
            deadline = ev.data.get("deadline")
            steps.append(replace(current, end=to_local(ev.at), passed_to=to))
            current = Step(len(steps) + 1, to, ev.data.get("to_agency") or None, ev.actor_name or "",
                           to_local(ev.at), to_local(datetime.fromisoformat(deadline)) if deadline else None,
                           note=ev.data.get("note") or None)
        elif ev.kind == Action.RECEIVE_SUPPLEMENT and current.deadline is not None:
            # the clock restarted: a step due with the dossier follows its new appointment,
            # a step with its own deadline gets the paused time back
            old_due, new_due = ev.data.get("old_due"), ev.data.get("new_due")
            if old_due and new_due and current.deadline == to_local(datetime.fromisoformat(old_due)):
                current = replace(current, deadline=to_local(datetime.fromisoformat(new_due)))
            else:
                current = replace(current, deadline=current.deadline
                                  + timedelta(seconds=int(ev.data.get("paused_seconds") or 0)))
        elif ev.kind == Action.RESULT_READY:
            # the result comes back to the desk; the desk's return to the citizen is on the receipt
            steps.append(replace(current, end=to_local(ev.at), passed_to=desk_name))
            current = None
        elif ev.kind in (Action.REFUSE, Action.STOP, Action.WITHDRAW, Action.CLOSE):
            steps.append(replace(current, end=to_local(ev.at)))
            current = None
    if current is not None:
        steps.append(current)
    return steps
