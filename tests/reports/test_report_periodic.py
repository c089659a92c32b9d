"""The periodic report against dossiers whose report was worked out on paper
(tests/reports/reportdata.py), cell by cell; then against a plain-Python reading of the
same rules on random dossiers with random supplement histories (hypothesis), which checks
the SQL at every boundary, and judges open dossiers as they stood at each period's end."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

import pytest
import reportdata as rd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from commune_desk.errors import PermissionDenied, ValidationError
from commune_desk.reports.model import COUNT_KEYS, FIELD, PROCEDURE, TOTAL, Counts
from commune_desk.reports.periodic import grouped_counts, monthly_on_time
from commune_desk.reports.periods import parse_period
from commune_desk.services import reports as service
from commune_desk.store.models import Dossier, DossierEvent, Rating

SHOWN = COUNT_KEYS[:-1]   # every column but the hidden online counter


def values(counts: Counts) -> tuple[int, ...]:
    return tuple(getattr(counts, k) for k in SHOWN)


@pytest.fixture
def q1(admin_ctx):
    rd.insert(admin_ctx.db)
    return service.periodic_report(admin_ctx, "2025-Q1", as_of=rd.AS_OF)


def test_every_cell_of_the_hand_computed_quarter(q1):
    by_key = {}
    for row in q1.rows:
        key = row.label if row.level == FIELD else row.code if row.level == PROCEDURE else "total"
        by_key[key] = row
    assert set(by_key) == set(rd.EXPECTED_Q1)
    for key, expected in rd.EXPECTED_Q1.items():
        assert values(by_key[key].counts) == expected, key


def test_rows_are_fields_then_their_procedures_then_the_total(q1):
    assert [(r.level, r.stt) for r in q1.rows] == [
        (FIELD, "I"), (PROCEDURE, "1"), (FIELD, "II"), (PROCEDURE, "1"), (PROCEDURE, "2"), (TOTAL, "")]
    assert [r.label for r in q1.rows if r.level == FIELD] == ["Chứng thực", "Hộ tịch"]


def test_on_time_rates_follow_decision_766(q1):
    rates = {r.code or r.label: round(r.counts.rate, 2) for r in q1.rows}
    assert rates[rd.P1] == 60.0           # D1, D2, D4 of 5
    assert rates[rd.P3] == 100.0          # the withdrawal before its appointment
    assert rates[rd.P2] == 42.86          # D11, D12, D14 of 7
    assert rates["Tổng cộng"] == 53.85    # 7 of 13


def test_every_line_balances(q1):
    for row in q1.rows:
        c = row.counts
        assert c.received == c.new_online + c.new_counter + c.new_post + c.carried
        assert c.received == c.resolved + c.open + c.waiting + c.withdrawn
        assert c.resolved == c.early + c.on_time + c.late
        assert c.open == c.open_within + c.open_overdue


def test_cut_off_quarter(admin_ctx):
    rd.insert(admin_ctx.db)
    report = service.periodic_report(admin_ctx, "2025-Q1", cutoff=True, as_of=rd.AS_OF)
    assert (report.period.start.isoformat(), report.period.end.isoformat()) == ("2024-12-15", "2025-03-14")
    assert values(report.total) == rd.EXPECTED_Q1_CUTOFF_TOTAL


def test_monthly_trend(q1):
    trend = {(p.period.year, p.period.number): (p.received, p.on_time_num) for p in q1.trend}
    assert [(p.period.year, p.period.number) for p in q1.trend] == [
        (2024, 10), (2024, 11), (2024, 12), (2025, 1), (2025, 2), (2025, 3)]   # a quarter shows half a year
    for month, expected in rd.EXPECTED_TREND.items():
        assert trend[month] == expected, month
    assert trend[(2024, 11)] == (0, 0)


def test_a_period_not_over_yet_judges_open_dossiers_as_of_now(admin_ctx):
    rd.insert(admin_ctx.db)
    # on 29/03 D13 (appointment 30/03) is still within its deadline; at the end of March it is not
    early = service.periodic_report(admin_ctx, "2025-03", as_of=rd.L("2025-03-29 12:00"))
    late = service.periodic_report(admin_ctx, "2025-03", as_of=rd.AS_OF)
    assert late.total.open_overdue - early.total.open_overdue == 1
    assert early.total.open_within - late.total.open_within == 1


def test_satisfaction_and_criteria(q1):
    s = q1.satisfaction
    assert (s.handled, s.overdue, s.complained, s.ratings) == (13, 6, 2, 5)
    assert round(s.figure, 2) == 38.46       # 100 − (46.15 + 15.38)
    assert not s.full_points
    crit = {c.key: (c.count, round(c.average, 2), c.satisfied, c.scale_max) for c in q1.criteria}
    assert crit == {"a": (3, 1.0, 1, 2), "dd": (3, 1.67, 2, 2), "h": (1, 5.0, 1, 5)}


def test_officer_and_unit_scores(q1):
    officers = {o.name: (o.dossiers, [i.value for i in o.indices], o.total, o.rating) for o in q1.officer_scores}
    assert officers["Nguyễn Văn An"] == (3, [1.0, 1.0, 2.0, 2.0, 2.0, 2.0], 10.0, "Hoàn thành 100% nhiệm vụ")
    # index 7: D3 rated attitude 1 (its complaint does not count over the citizen's own score), D4 and D5
    # not rated: 2 each -> 5 / 3
    assert officers["Trần Thị Bình"] == (3, [0.7, 0.7, 1.0, 2.0, 2.0, 1.7], 8.1, "Hoàn thành 100% nhiệm vụ")
    (unit,) = q1.unit_scores
    # index 7: D1 2, D2 2, D3 1, D4 2, D5 2, D7 2 (its rating has no attitude score) -> 11 / 6
    assert [i.value for i in unit.indices] == [0.8, 0.8, 1.5, 2.0, 2.0, 2.0, 1.8, None, 0.0]
    assert (unit.total, unit.rating) == (10.9, "Khá")


def test_training_figures(admin_ctx):
    rd.insert_training(admin_ctx.db, year=2025)
    t = service.periodic_report(admin_ctx, "2025-Q1", as_of=rd.AS_OF).training
    assert t.available and t.year == 2025 and t.minimum_periods == 40
    assert (t.staff, t.trained, t.meeting_minimum) == (4, 3, 1)
    assert {name: periods for name, _pos, periods in t.people} == {
        "Nguyễn Thị Lan": 36, "Trần Văn Minh": 24, "Lê Thị Hoa": 40, "Phạm Văn Tuấn": 0}
    assert t.by_type == [("Theo yêu cầu vị trí việc làm", 1, 3), ("Cập nhật kiến thức, kỹ năng", 1, 4)]
    assert dict((k, (n, p)) for k, n, p in t.by_topic) == {
        "Kỹ năng một cửa": (1, 3), "Giao tiếp, ứng xử với người dân": (1, 3),
        "Cập nhật văn bản pháp luật": (1, 4)}
    assert (t.desk_staff, t.desk_staff_one_stop) == (2, 1)
    # in February only the one-stop course had taken place
    feb = service.periodic_report(admin_ctx, "2025-02", as_of=rd.AS_OF).training
    assert {name: periods for name, _pos, periods in feb.people}["Nguyễn Thị Lan"] == 16


def test_another_commune_in_the_file_is_not_counted(q1):
    assert "00922" not in q1.office_codes
    assert q1.total.received == 13       # D16 belongs to 00922


def test_roles_and_offices_are_checked(trainer_ctx, clerk_ctx, admin_ctx):
    with pytest.raises(PermissionDenied):
        service.periodic_report(trainer_ctx, "2025-Q1")
    assert service.periodic_report(clerk_ctx, "2025-Q1").total.received == 0
    with pytest.raises(ValidationError) as err:
        service.periodic_report(admin_ctx, "2025-Q1", offices=["00922"])
    assert "cấp trên" in str(err.value)


# -- the rules in plain Python, on random dossiers ------------------------------------------------
PERIOD = parse_period("2025-02")
P_START, P_END = PERIOD.utc_bounds()
# instants around the period's edges, so equality cases come up often
MOMENTS = [P_START + timedelta(days=d, hours=h) for d in (-40, -3, -1, 0, 5, 14, 27, 28, 29, 45)
           for h in (-1, 0, 6)]


def state_at_end(r: dict, end: datetime) -> tuple[bool, bool, datetime | None, datetime | None]:
    """(waiting, more than one request, appointment, latest request) of an open dossier as it
    stood at ``end``: from its events when it has any, else from its columns (imported)."""
    events = r["events"]
    if not events:
        requested = r["requested"]
        return (requested is not None and requested < end, r["supplements"] > 1, r["due"], requested)
    requests = [at for kind, at, _old in events if kind == "request_supplement" and at < end]
    receipts = [at for kind, at, _old in events if kind == "receive_supplement" and at < end]
    later_changes = [(at, old) for kind, at, old in events
                     if kind in ("receive_supplement", "extend") and at >= end]
    due = min(later_changes)[1] if later_changes else r["due"]
    return (len(requests) > len(receipts), len(requests) > 1, due, max(requests, default=None))


def oracle(rows: list[dict], start: datetime, end: datetime, as_of: datetime) -> Counts:
    c = Counts()
    ref = min(end, as_of)
    for r in rows:
        finished, due = r["finished"], r["due"]
        if not (r["received"] < end and (finished is None or finished >= start)):
            continue
        c.received += 1
        if r["received"] >= start:
            attr = {"online": "new_online", "post": "new_post"}.get(r["channel"], "new_counter")
            setattr(c, attr, getattr(c, attr) + 1)
        else:
            c.carried += 1
        if finished is not None and finished < end:
            many = r["supplements"] > 1
            outcome = r["outcome"] or ("late" if many else "on_time" if due is None or finished <= due else "late")
            ok = outcome in ("early", "on_time")
            if r["status"] in ("result_ready", "returned"):
                c.resolved += 1
                setattr(c, outcome, getattr(c, outcome) + 1)
            else:
                c.withdrawn += 1
        else:
            waiting, many, due_then, requested = state_at_end(r, end)
            if waiting:
                c.waiting += 1
                ok = not (many or (due_then is not None and due_then < requested))
            else:
                late = many or (due_then is not None and due_then < ref)
                c.open += 1
                c.open_overdue += late
                c.open_within += not late
                ok = not late
        c.on_time_num += ok
        c.online_overdue += r["channel"] == "online" and not ok
    return c


GAPS = [timedelta(hours=1), timedelta(days=2), timedelta(days=10), timedelta(days=30)]
dossier = st.fixed_dictionaries({
    "received": st.sampled_from(MOMENTS),
    "finished_after": st.one_of(st.none(), st.sampled_from([timedelta(0), timedelta(hours=5), timedelta(days=3),
                                                             timedelta(days=30)])),
    "due_after": st.one_of(st.none(), st.sampled_from([timedelta(hours=5), timedelta(days=2), timedelta(days=20)])),
    # the supplement history: first request, its completion, a second request (each after the previous step)
    "requests": st.lists(st.sampled_from(GAPS), max_size=3),
    "history": st.booleans(),            # False: imported from an older system, columns only
    "extend_to": st.one_of(st.none(), st.sampled_from([timedelta(days=3), timedelta(days=25)])),
    "status_result": st.booleans(),
    "outcome": st.sampled_from([None, "early", "on_time", "late"]),
    "supplements": st.integers(0, 3),
    "channel": st.sampled_from(["counter", "online", "post"]),
})


def lived(spec: dict) -> dict:
    """The columns the lifecycle leaves now and the events it wrote, for one random dossier:
    an optional apology (before its appointment), then request, completion, request … (the
    appointment restarts at each completion), then maybe an end."""
    at = spec["received"]
    due = None if spec["due_after"] is None else at + spec["due_after"]
    events: list[tuple[str, datetime, datetime | None]] = []
    if spec["extend_to"] is not None and due is not None and due - at > timedelta(hours=2):
        at = at + timedelta(hours=1)
        events.append(("extend", at, due))
        due = due + spec["extend_to"]
    requested = None
    pending = False
    for i, gap in enumerate(spec["requests"]):
        at = at + gap
        if i % 2 == 0:
            events.append(("request_supplement", at, None))
            requested, pending = at, True
        else:
            events.append(("receive_supplement", at, due))
            fresh = at + timedelta(days=3)
            due = fresh if due is None else max(fresh, due)
            pending = False
    count = sum(kind == "request_supplement" for kind, _at, _old in events)
    finished = None if spec["finished_after"] is None else at + spec["finished_after"]
    if finished is not None:
        status = "returned" if spec["status_result"] and not pending else "withdrawn"
    else:
        status = "supplement_requested" if pending else "processing"
    if not spec["history"]:
        events = []
        count = count or spec["supplements"]     # an older system's count, not always matched by dates
    return {"received": spec["received"], "finished": finished, "requested": requested, "due": due,
            "status": status, "outcome": spec["outcome"] if finished else None, "supplements": count,
            "channel": spec["channel"], "events": events}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(dossier, min_size=1, max_size=14), st.sampled_from([P_START + timedelta(days=10), P_END,
                                                                     P_END + timedelta(days=60)]))
def test_sql_agrees_with_the_rules_on_random_dossiers(admin_ctx, specs, as_of):
    db = admin_ctx.db
    rows = [lived(spec) for spec in specs]
    with db.write(capture_changes=False) as s:
        s.execute(delete(DossierEvent))
        s.execute(delete(Rating))
        s.execute(delete(Dossier))
    inserted = rd.insert(db, [rd.D(f"R{i}", rd.P2, r["channel"], "2000-01-01 00:00", None, r["status"])
                              for i, r in enumerate(rows)], [])
    with db.write(capture_changes=False) as s:
        for i, r in enumerate(rows):
            s.query(Dossier).filter(Dossier.code.like(f"TEST-R{i}-%")).update({
                "received_at": r["received"], "finished_at": r["finished"], "supplement_requested_at": r["requested"],
                "due_at": r["due"], "original_due_at": r["due"], "outcome": r["outcome"],
                "supplement_count": r["supplements"]}, synchronize_session=False)
            for kind, at, old_due in r["events"]:
                s.add(DossierEvent(office_code="00919", dossier_id=inserted[f"R{i}"].id, kind=kind, at=at,
                                   data={"old_due": old_due.isoformat() if old_due else None}))
    with db.read() as s:
        got = Counts()
        for group in grouped_counts(s, P_START, P_END, as_of, ["00919"]):
            got.add(group.counts)
        months = [m.utc_bounds() for m in PERIOD.trailing_months(3)]
        trend = monthly_on_time(s, months, as_of, ["00919"])
    assert {f.name: getattr(got, f.name) for f in fields(Counts)} == \
        {f.name: getattr(oracle(rows, P_START, P_END, as_of), f.name) for f in fields(Counts)}
    for (m_start, m_end), (received, on_time) in zip(months, trend, strict=True):
        expected = oracle(rows, m_start, m_end, as_of)
        assert (received, on_time) == (expected.received, expected.on_time_num)
