"""Moving a dossier through its life: one function per step, each ONE transaction that
writes the step's ``DossierEvent`` (append-only: who, when, the data FACTS.md section 3 asks
to keep) and keeps the dossier's columns in step.

The rules are the pure reducer :func:`commune_desk.domain.lifecycle.apply`; it runs before
anything is written, so bad input raises ``ValidationError`` and the database is untouched.

Meaning of the dossier columns (the reports aggregate them in SQL, so this is a contract):

- ``status``: the lifecycle status (``domain.lifecycle.Status``); "overdue" is derived:
  ``status IN CLOCK_RUNNING AND due_at < now``.
- ``due_at``: the current appointment (restarted after a supplement, re-set by the one
  apology); ``original_due_at``: the appointment first printed on the receipt, never changed.
- ``handler_id`` / ``handler_name``: who holds the dossier now (the last hand-off's receiver;
  an agency name for a liên thông transfer; ``handler_id`` is NULL then).
- ``supplement_count``: supplement requests made; ``supplement_requested_at``: the time of the
  latest request (kept after the resubmission: use ``status`` to know whether it is pending);
  ``supplement_paused_seconds``: total seconds the clock stood still for supplements
  (request → resubmission, or request → the end when the dossier ended while waiting).
- ``extension_count``: apologies with a new appointment (at most ``lifecycle.max_extensions``).
- ``result_ready_at``, ``returned_at``: when the result was ready, when it was handed over.
- ``finished_at``: when the office's work ended: "result ready", else the first terminal
  status (refused, stopped, withdrawn, closed). Set once.
- ``outcome``: ``early`` | ``on_time`` | ``late`` (``domain.timeliness``), set with ``finished_at``.
  Processing time for averages: ``finished_at - received_at - supplement_paused_seconds``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commune_desk.domain.calendar import DueRule, parse_hhmm, to_local, to_utc
from commune_desk.domain.lifecycle import (
    CLOCK_RUNNING,
    TRANSITIONS,
    Action,
    DossierState,
    EventLine,
    FlowEnv,
    Status,
    action_label,
    apply,
    handoff_steps,
    is_overdue,
    legal_actions,
    status_label,
)
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import normalize
from commune_desk.domain.timeliness import (
    Outcome,
    TimeRules,
    apology_in_time,
    apology_last_day,
    forwarding_deadline,
    supplement_expired,
    supplement_last_day,
)
from commune_desk.errors import NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.services.calendar import load_calendar
from commune_desk.services.context import Ctx, Database
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, DossierEvent, Procedure, Rating, User

TEXT_MAX = 2000
NAME_MAX = 200
FUTURE_SLACK = timedelta(minutes=5)

# The printable form that goes with each step (services.documents.FORMS kinds).
FORM_OF_ACTION: dict[Action, str] = {
    Action.ASSIGN: "control",
    Action.REQUEST_SUPPLEMENT: "supplement",
    Action.EXTEND: "apology",
    Action.REFUSE: "refusal",
    Action.STOP: "stop",
    Action.RESULT_READY: "control",
}

# Data each step keeps besides what the reducer computes (FACTS.md 3): anything else is dropped.
KEPT: dict[Action, tuple[str, ...]] = {
    Action.ASSIGN: ("to_name", "to_id", "to_agency", "deadline", "note"),
    Action.REQUEST_SUPPLEMENT: ("items", "reason", "contact_name", "contact_phone", "note"),
    Action.RECEIVE_SUPPLEMENT: ("documents", "note"),
    Action.REQUEST_OBLIGATION: ("description", "amount_vnd", "note"),
    Action.OBLIGATION_DONE: ("receipt", "note"),
    Action.EXTEND: ("reason", "new_due", "signer_name", "signer_title", "notified_by", "note"),
    Action.REFUSE: ("reason", "note"),
    Action.REQUEST_WITHDRAWAL: ("request", "note"),
    Action.CANCEL_WITHDRAWAL: ("note",),
    Action.WITHDRAW: ("returned_to", "note"),
    Action.STOP: ("reason", "request_date", "signer_name", "signer_title", "note"),
    Action.RESULT_READY: ("result_number", "issued_on", "signer_name", "signer_title", "from_agency", "note"),
    Action.RETURN_RESULT: ("received_by", "id_number", "channel", "note"),
    Action.CLOSE: ("note",),
    Action.RATE: ("rating_id", "channel"),
}


@dataclass(frozen=True)
class StepDone:
    """What a step did, as plain data for the window and the CLI."""

    dossier_id: uuid.UUID
    code: str
    action: str
    status: str
    due_at: dt.datetime | None
    event_id: uuid.UUID
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def form_kind(self) -> str | None:
        return FORM_OF_ACTION.get(Action(self.action))


# -- reading a dossier into the reducer's state ------------------------------------------
def flow_env(db: Database, s: Session, procedure: Procedure | None) -> FlowEnv:
    def setting(key: str) -> Any:
        return db.setting(key, s)

    rule = DueRule.of(procedure) if procedure is not None else DueRule("working_days", 0, False)
    return FlowEnv(cal=load_calendar(db, s), rules=TimeRules.from_settings(setting), due_rule=rule,
                   cutoff=parse_hhmm(setting("calendar.cutoff_hour")),
                   cutoff_moves_multi_day=bool(setting("calendar.cutoff_moves_multi_day")),
                   appointment_time=parse_hhmm(setting("calendar.appointment_time")))


def events_of(s: Session, dossier_id: uuid.UUID) -> list[DossierEvent]:
    return list(s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
                          .order_by(DossierEvent.at, DossierEvent.id)))


def state_of(d: Dossier, events: list[DossierEvent]) -> DossierState:
    holder_since = d.received_at
    before_withdrawal = None
    for ev in events:
        if ev.kind in (Action.ASSIGN, Action.RECEIVE_SUPPLEMENT):
            holder_since = ev.at
        elif ev.kind == Action.REQUEST_WITHDRAWAL and ev.from_status:
            before_withdrawal = Status(ev.from_status)
    last = max([d.received_at, *(ev.at for ev in events)])
    return DossierState(
        status=Status(d.status), received_at=d.received_at, due_at=d.due_at, original_due_at=d.original_due_at,
        supplement_count=d.supplement_count or 0, supplement_requested_at=d.supplement_requested_at,
        supplement_paused_seconds=d.supplement_paused_seconds or 0, extension_count=d.extension_count or 0,
        result_ready_at=d.result_ready_at, returned_at=d.returned_at, finished_at=d.finished_at,
        outcome=Outcome(d.outcome) if d.outcome else None, handler_id=d.handler_id, handler_name=d.handler_name,
        holder_since=holder_since, status_before_withdrawal=before_withdrawal, last_event_at=last)


def current_step_deadline(db: Database, s: Session, d: Dossier, events: list[DossierEvent],
                          env: FlowEnv) -> dt.datetime | None:
    """The deadline of whoever holds the dossier now: the desk's forwarding deadline (art.
    18.2) until the first hand-off, then the last hand-off's, moved by a supplement restart."""
    desk = forwarding_deadline(env.cal, to_local(d.received_at), cutoff=env.cutoff,
                               work_end=parse_hhmm(db.setting("calendar.work_end", s)))
    lines = [EventLine(ev.kind, ev.at, ev.actor_name, dict(ev.data or {})) for ev in events]
    steps = handoff_steps(d.received_at, d.receiver_name or "", "", desk, lines)
    last = steps[-1] if steps else None
    if last is None or last.end is not None or last.deadline is None:
        return None
    return to_utc(last.deadline)


def replay_step(state: DossierState, kind: str, at: dt.datetime, data: dict[str, Any],
                env: FlowEnv) -> DossierState:
    """A step already taken and recorded elsewhere (the competent commune's event for a
    dossier received here) applied to this office's copy: the same reducer as a step taken
    here, but the facts that office computed win (its new appointment, its outcome), so both
    copies agree. Raises LifecycleError (nothing changes) when the step is illegal from ``state``."""
    data = dict(data or {})
    if data.get("to_id"):
        data["to_id"] = None  # the other office's user: no account here
    data.pop("deadline", None)  # checked there when the step was taken (it may have passed since)
    new = apply(state, kind, at, data, env).state
    if Action(kind) in (Action.RECEIVE_SUPPLEMENT, Action.EXTEND) and data.get("new_due"):
        new = replace(new, due_at=to_utc(dt.datetime.fromisoformat(str(data["new_due"]))))
    if data.get("outcome") and state.finished_at is None and new.finished_at is not None:
        new = replace(new, outcome=Outcome(data["outcome"]))
    return new


def _write_back(d: Dossier, st: DossierState) -> None:
    d.status = st.status.value
    d.due_at = st.due_at
    d.supplement_count = st.supplement_count
    d.supplement_requested_at = st.supplement_requested_at
    d.supplement_paused_seconds = st.supplement_paused_seconds
    d.extension_count = st.extension_count
    d.result_ready_at = st.result_ready_at
    d.returned_at = st.returned_at
    d.finished_at = st.finished_at
    d.outcome = st.outcome.value if st.outcome else None
    d.handler_id = st.handler_id
    d.handler_name = st.handler_name


def get_dossier(s: Session, dossier_id: uuid.UUID | str) -> Dossier:
    d = None
    if isinstance(dossier_id, uuid.UUID):
        d = s.get(Dossier, dossier_id)
    else:
        d = s.scalar(select(Dossier).where(Dossier.code == str(dossier_id).strip()))
    if d is None:
        raise NotFound(_("Không tìm thấy hồ sơ {code}.").format(code=dossier_id))
    return d


# -- cleaning what the clerk typed ---------------------------------------------------------
def _clean(value: Any, key: str) -> Any:
    if isinstance(value, str):
        text = normalize(value) if "\n" not in value else "\n".join(normalize(x) for x in value.splitlines()).strip()
        limit = NAME_MAX if key.endswith(("_name", "_by", "_to", "_title", "agency")) else TEXT_MAX
        if len(text) > limit:
            raise ValidationError(_("Nội dung quá dài (tối đa {n} ký tự).").format(n=limit), field=key)
        return text
    if isinstance(value, (list, tuple)):
        return [c for c in (_clean(v, key) for v in value) if c not in ("", None)]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return to_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _clean_data(action: Action, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in KEPT[action]:
        if key in data and data[key] is not None:
            out[key] = _clean(data[key], key)
    if "amount_vnd" in out:
        try:
            out["amount_vnd"] = int(out["amount_vnd"])
        except (TypeError, ValueError):
            raise ValidationError(_("Số tiền phải là số nguyên (đồng)."), field="amount_vnd") from None
        if out["amount_vnd"] < 0:
            raise ValidationError(_("Số tiền không được âm."), field="amount_vnd")
    return out


def _check_at(at: dt.datetime | None) -> dt.datetime:
    now = utcnow()
    if at is None:
        return now
    if at.tzinfo is None:
        at = to_utc(at)
    if at > now + FUTURE_SLACK:
        raise ValidationError(_("Thời điểm {when} ở tương lai.").format(
            when=to_local(at).strftime("%H:%M %d/%m/%Y")), field="at")
    return at


# -- the one path every step takes -------------------------------------------------------
def perform(ctx: Ctx, dossier_id: uuid.UUID | str, action: str, data: dict[str, Any] | None = None, *,
            at: dt.datetime | None = None) -> StepDone:
    """Run ``action`` on the dossier in one transaction (role checked, rules applied, event
    written). Raises ValidationError/NotFound/PermissionDenied and writes nothing on failure."""
    ctx.require(Perm.DOSSIERS)
    try:
        act = Action(action)
    except ValueError:
        raise ValidationError(_("Thao tác không hợp lệ: {action}").format(action=action)) from None
    if TRANSITIONS[act].system_only:
        raise ValidationError(_("Việc này do phần mềm tự làm theo quy định."))
    at = _check_at(at)
    data = _clean_data(act, dict(data or {}))
    with ctx.db.write() as s:
        done = perform_in(ctx, s, get_dossier(s, dossier_id), act, data, at)
    return done


def perform_in(ctx: Ctx, s: Session, d: Dossier, act: Action, data: dict[str, Any], at: dt.datetime,
                *, system: bool = False) -> StepDone:
    if act == Action.ASSIGN and data.get("to_id"):
        user = s.get(User, uuid.UUID(str(data["to_id"])))
        if user is None or not user.active:
            raise ValidationError(_("Người nhận không có hoặc đã bị khóa."), field="to_name")
    events = events_of(s, d.id)
    env = flow_env(ctx.db, s, s.get(Procedure, d.procedure_id))
    reducer_data = dict(data)
    if act == Action.ASSIGN and data.get("to_id"):
        reducer_data["to_id"] = uuid.UUID(str(data["to_id"]))
    state = replace(state_of(d, events), step_deadline=current_step_deadline(ctx.db, s, d, events, env))
    result = apply(state, act, at, reducer_data, env)
    before = d.status
    _write_back(d, result.state)
    event = DossierEvent(dossier_id=d.id, kind=act.value, at=at, actor_id=None if system else ctx.actor.id,
                         actor_name=_("Phần mềm (tự động theo quy định)") if system else ctx.actor.full_name,
                         from_status=before,
                         to_status=result.state.status.value, data={**data, **result.facts},
                         note=data.get("note"))
    s.add(event)
    s.flush()
    return StepDone(d.id, d.code, act.value, d.status, d.due_at, event.id, dict(result.facts))


# -- one function per step ---------------------------------------------------------------
def assign(ctx: Ctx, dossier_id, *, to_name: str, to_id: uuid.UUID | None = None, to_agency: str | None = None,
           deadline: dt.date | dt.datetime | None = None, note: str | None = None,
           at: dt.datetime | None = None) -> StepDone:
    """Hand the dossier to an official, or transfer it to another agency (liên thông), with
    that step's deadline (default: the dossier's appointment)."""
    return perform(ctx, dossier_id, Action.ASSIGN, {"to_name": to_name, "to_id": to_id, "to_agency": to_agency,
                                                    "deadline": deadline, "note": note}, at=at)


def request_supplement(ctx: Ctx, dossier_id, *, items: list[str], reason: str, contact_name: str | None = None,
                       contact_phone: str | None = None, note: str | None = None,
                       at: dt.datetime | None = None) -> StepDone:
    """The one supplement request (everything at once); the clock stops."""
    return perform(ctx, dossier_id, Action.REQUEST_SUPPLEMENT,
                   {"items": items, "reason": reason, "contact_name": contact_name, "contact_phone": contact_phone,
                    "note": note}, at=at)


def receive_supplement(ctx: Ctx, dossier_id, *, documents: list[str] | None = None, note: str | None = None,
                       at: dt.datetime | None = None) -> StepDone:
    """The completed dossier is back: the clock restarts from zero with a new appointment."""
    return perform(ctx, dossier_id, Action.RECEIVE_SUPPLEMENT, {"documents": documents, "note": note}, at=at)


def request_obligation(ctx: Ctx, dossier_id, *, description: str, amount_vnd: int | None = None,
                       note: str | None = None, at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.REQUEST_OBLIGATION,
                   {"description": description, "amount_vnd": amount_vnd, "note": note}, at=at)


def obligation_done(ctx: Ctx, dossier_id, *, receipt: str | None = None, note: str | None = None,
                    at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.OBLIGATION_DONE, {"receipt": receipt, "note": note}, at=at)


def extend(ctx: Ctx, dossier_id, *, reason: str, new_due: dt.date | dt.datetime, signer_name: str,
           signer_title: str | None = None, notified_by: str | None = None, note: str | None = None,
           at: dt.datetime | None = None) -> StepDone:
    """The written apology with a new appointment (once, at least a working day before)."""
    return perform(ctx, dossier_id, Action.EXTEND,
                   {"reason": reason, "new_due": new_due, "signer_name": signer_name, "signer_title": signer_title,
                    "notified_by": notified_by, "note": note}, at=at)


def refuse(ctx: Ctx, dossier_id, *, reason: str, note: str | None = None, at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.REFUSE, {"reason": reason, "note": note}, at=at)


def request_withdrawal(ctx: Ctx, dossier_id, *, request: str, note: str | None = None,
                       at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.REQUEST_WITHDRAWAL, {"request": request, "note": note}, at=at)


def cancel_withdrawal(ctx: Ctx, dossier_id, *, note: str | None = None, at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.CANCEL_WITHDRAWAL, {"note": note}, at=at)


def withdraw(ctx: Ctx, dossier_id, *, returned_to: str, note: str | None = None,
             at: dt.datetime | None = None) -> StepDone:
    return perform(ctx, dossier_id, Action.WITHDRAW, {"returned_to": returned_to, "note": note}, at=at)


def stop(ctx: Ctx, dossier_id, *, reason: str, request_date: dt.date | None = None, signer_name: str | None = None,
         signer_title: str | None = None, note: str | None = None, at: dt.datetime | None = None) -> StepDone:
    """Stop handling at the applicant's request (Decree 118 art. 21; notice: 2025 Mẫu 05)."""
    return perform(ctx, dossier_id, Action.STOP,
                   {"reason": reason, "request_date": request_date, "signer_name": signer_name,
                    "signer_title": signer_title, "note": note}, at=at)


def result_ready(ctx: Ctx, dossier_id, *, result_number: str, signer_name: str, issued_on: dt.date | None = None,
                 signer_title: str | None = None, from_agency: str | None = None, note: str | None = None,
                 at: dt.datetime | None = None) -> StepDone:
    """The result document exists (number, date, signer) and is back at the receiving office."""
    return perform(ctx, dossier_id, Action.RESULT_READY,
                   {"result_number": result_number, "signer_name": signer_name,
                    "issued_on": issued_on or to_local(at or utcnow()).date(), "signer_title": signer_title,
                    "from_agency": from_agency, "note": note}, at=at)


def return_result(ctx: Ctx, dossier_id, *, received_by: str, id_number: str | None = None,
                  channel: str = "counter", note: str | None = None, at: dt.datetime | None = None) -> StepDone:
    """The result handed over: to whom, how."""
    return perform(ctx, dossier_id, Action.RETURN_RESULT,
                   {"received_by": received_by, "id_number": id_number, "channel": channel, "note": note}, at=at)


def close_unanswered_supplements(ctx: Ctx, now: dt.datetime | None = None) -> list[str]:
    """Close every dossier whose supplement did not come within the allowed days (Decree
    118/2025 art. 19.5). The desk calls it at start and every day; returns the codes closed."""
    office = ctx.db.office
    if office is None or office.is_hub:
        return []
    now = now or utcnow()
    rules = TimeRules.from_settings(ctx.db.setting)
    closed: list[str] = []
    with ctx.db.write() as s:
        candidates = s.scalars(select(Dossier).where(
            Dossier.status == Status.SUPPLEMENT_REQUESTED.value,
            Dossier.supplement_requested_at <= now - timedelta(days=rules.supplement_close_days)))
        for d in candidates:
            if not supplement_expired(to_local(d.supplement_requested_at), to_local(now), rules):
                continue
            perform_in(ctx, s, d, Action.CLOSE, {}, now, system=True)
            closed.append(d.code)
    return closed


# -- what the window shows ---------------------------------------------------------------
@dataclass(frozen=True)
class DossierCard:
    id: uuid.UUID
    code: str
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_phone: str | None
    received_at: dt.datetime
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    handler_name: str | None
    supplement_count: int
    extension_count: int
    finished_at: dt.datetime | None
    outcome: str | None
    overdue: bool
    rules_set: str
    rated: bool


@dataclass(frozen=True)
class ActionOption:
    action: str
    label: str
    enabled: bool
    reason: str = ""      # why it is disabled


def _card(s: Session, d: Dossier, now: dt.datetime) -> DossierCard:
    rated = s.scalar(select(func.count(Rating.id)).where(Rating.dossier_id == d.id)) > 0
    return DossierCard(d.id, d.code, d.status, status_label(d.status), d.procedure_code, d.procedure_name,
                       d.applicant_name, d.applicant_phone, d.received_at, d.due_at, d.original_due_at,
                       d.handler_name, d.supplement_count or 0, d.extension_count or 0, d.finished_at, d.outcome,
                       is_overdue(d.status, d.due_at, now), d.rules_set, rated)


def card(ctx: Ctx, dossier_id: uuid.UUID | str) -> DossierCard:
    ctx.require(Perm.DOSSIERS)
    with ctx.db.read() as s:
        return _card(s, get_dossier(s, dossier_id), utcnow())


def available_actions(ctx: Ctx, dossier_id: uuid.UUID | str, now: dt.datetime | None = None) -> list[ActionOption]:
    """The legal next steps from the dossier's status; those a time rule blocks right now are
    listed disabled with the reason."""
    ctx.require(Perm.DOSSIERS)
    now = now or utcnow()
    with ctx.db.read() as s:
        d = get_dossier(s, dossier_id)
        rules = TimeRules.from_settings(lambda k: ctx.db.setting(k, s))
        cal = load_calendar(ctx.db, s)
        rated = s.scalar(select(func.count(Rating.id)).where(Rating.dossier_id == d.id)) > 0
        out: list[ActionOption] = []
        for act in legal_actions(d.status):
            reason = ""
            if act == Action.REQUEST_SUPPLEMENT and (d.supplement_count or 0) >= rules.max_supplements:
                reason = _("Đã yêu cầu bổ sung {n} lần (tối đa theo quy định).").format(n=d.supplement_count)
            elif act == Action.EXTEND:
                if (d.extension_count or 0) >= rules.max_extensions:
                    reason = _("Đã hẹn lại ngày trả kết quả một lần.")
                elif d.due_at is not None and not apology_in_time(cal, to_local(now).date(),
                                                                  to_local(d.due_at).date(), rules):
                    reason = _("Đã quá hạn gửi văn bản xin lỗi, gia hạn (muộn nhất ngày {day}).").format(
                        day=apology_last_day(cal, to_local(d.due_at).date(), rules).strftime("%d/%m/%Y"))
            elif act == Action.RECEIVE_SUPPLEMENT and d.supplement_requested_at is not None and \
                    supplement_expired(to_local(d.supplement_requested_at), to_local(now), rules):
                reason = _("Đã quá hạn bổ sung (đến hết ngày {day}); hồ sơ sẽ được đóng.").format(
                    day=supplement_last_day(to_local(d.supplement_requested_at), rules).strftime("%d/%m/%Y"))
            elif act == Action.RATE and rated:
                reason = _("Công dân đã đánh giá hồ sơ này.")
            out.append(ActionOption(act.value, action_label(act), not reason, reason))
        return out


@dataclass(frozen=True)
class EventRow:
    id: uuid.UUID
    kind: str
    label: str
    at: dt.datetime
    actor_name: str | None
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]


def history(ctx: Ctx, dossier_id: uuid.UUID | str) -> list[EventRow]:
    """Every step, oldest first (the "received" step of the desk included)."""
    ctx.require(Perm.DOSSIERS)
    with ctx.db.read() as s:
        d = get_dossier(s, dossier_id)
        rows = []
        for ev in events_of(s, d.id):
            try:
                label = action_label(ev.kind)
            except (ValueError, KeyError):
                label = _("Tiếp nhận hồ sơ") if ev.kind == "received" else ev.kind
            rows.append(EventRow(ev.id, ev.kind, label, ev.at, ev.actor_name, ev.from_status, ev.to_status,
                                 dict(ev.data or {})))
        return rows


# -- the morning board -------------------------------------------------------------------
@dataclass(frozen=True)
class BoardRow:
    id: uuid.UUID
    code: str
    category: str            # overdue | today | next
    handler_name: str | None
    applicant_name: str
    procedure_name: str
    status: str
    due_at: dt.datetime
    extension_used: bool


def due_board(ctx: Ctx, now: dt.datetime | None = None) -> tuple[dt.date, list[BoardRow]]:
    """Open dossiers whose clock runs: overdue, due today, due on the next working day (an
    apology is still possible today). Returns (next working day, rows by handler then due)."""
    ctx.require(Perm.DOSSIERS)
    now = now or utcnow()
    with ctx.db.read() as s:
        cal = load_calendar(ctx.db, s)
        today = to_local(now).date()
        next_day = cal.next_working_day(today)
        horizon = to_utc(dt.datetime.combine(next_day + timedelta(days=1), dt.time(0, 0)))
        rows = s.execute(select(Dossier.id, Dossier.code, Dossier.handler_name, Dossier.applicant_name,
                                Dossier.procedure_name, Dossier.status, Dossier.due_at, Dossier.extension_count)
                         .where(Dossier.status.in_([st.value for st in CLOCK_RUNNING]),
                                Dossier.due_at.is_not(None), Dossier.due_at < horizon)).all()
    out: list[BoardRow] = []
    for r in rows:
        due_day = to_local(r.due_at).date()
        if r.due_at < now:
            category = "overdue"
        elif due_day <= today:
            category = "today"
        else:
            category = "next"
        out.append(BoardRow(r.id, r.code, category, r.handler_name, r.applicant_name, r.procedure_name, r.status,
                            r.due_at, (r.extension_count or 0) > 0))
    out.sort(key=lambda b: ((b.handler_name or "").lower(), b.due_at, b.code))
    return next_day, out


# -- choices for the step dialogs --------------------------------------------------------
@dataclass(frozen=True)
class Handler:
    id: uuid.UUID | None
    name: str
    agency: str | None = None


def handler_choices(ctx: Ctx) -> list[Handler]:
    """Who a dossier can be handed to: the office's active staff (clerks, leaders), then the
    other agencies it has already transferred dossiers to (liên thông), most used first."""
    ctx.require(Perm.DOSSIERS)
    with ctx.db.read() as s:
        staff = [Handler(u.id, u.full_name) for u in s.scalars(
            select(User).where(User.active.is_(True), User.role.in_(("clerk", "leader")))
            .order_by(User.full_name))]
        counts: dict[tuple[str, str], int] = {}
        for data in s.scalars(select(DossierEvent.data).where(DossierEvent.kind == Action.ASSIGN.value)
                              .order_by(DossierEvent.at.desc()).limit(2000)):
            agency = (data or {}).get("to_agency")
            if agency:
                key = (str(data.get("to_name") or agency), str(agency))
                counts[key] = counts.get(key, 0) + 1
    agencies = [Handler(None, name, agency) for (name, agency), _n in
                sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return staff + agencies
