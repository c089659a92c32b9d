"""The same hand-computed report on a PostgreSQL hub (the server .ci/run starts,
COMMUNE_DESK_TEST_PG), each test in a database of its own: the SQL is dialect-neutral but
the JSON unpacking of ratings and the loose index scan of office codes are checked here."""

from __future__ import annotations

import dataclasses
import os
import uuid

import pytest
import reportdata as rd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commune_desk.domain.roles import Role
from commune_desk.errors import NotFound
from commune_desk.reports.model import COUNT_KEYS, FIELD, PROCEDURE
from commune_desk.services import reports as service
from commune_desk.services.context import Actor, Ctx, Database

PG = os.environ.get("COMMUNE_DESK_TEST_PG")
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG, reason="COMMUNE_DESK_TEST_PG is not set")]


@pytest.fixture
def pg_hub(tmp_path):
    name = f"rep_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    from commune_desk.services.office import SetupRequest, setup_office

    db = Database.open(tmp_path, make_url(PG).set(database=name).render_as_string(hide_password=False))
    try:
        setup_office(db, SetupRequest(role="hub", office_code="08", office_name="UBND tỉnh Tuyên Quang"))
        rd.insert(db)
        rd.insert(db, [dataclasses.replace(x, key=f"T{x.key}", office="00925") for x in rd.DOSSIERS
                       if x.office == "00919"], [])
        yield Ctx(db, Actor(None, "tinh", "Cán bộ tỉnh", Role.HUB))
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_hand_computed_quarter_on_postgresql(pg_hub, tmp_path):
    assert pg_hub.db.engine.dialect.name == "postgresql"
    assert service.known_communes(pg_hub) == {"00919": "Xã Minh Tân", "00922": "Xã Thuận Hoà",
                                              "00925": "Xã Tùng Bá"}
    report = service.periodic_report(pg_hub, "2025-Q1", offices=["00919"], as_of=rd.AS_OF)
    for row in report.rows:
        key = row.label if row.level == FIELD else row.code if row.level == PROCEDURE else "total"
        assert tuple(getattr(row.counts, k) for k in COUNT_KEYS[:-1]) == rd.EXPECTED_Q1[key], key
    assert round(report.satisfaction.figure, 2) == 38.46
    assert {c.key: (c.count, c.scale_max) for c in report.criteria} == {"a": (3, 2), "dd": (3, 2), "h": (1, 5)}
    trend = {(p.period.year, p.period.number): (p.received, p.on_time_num) for p in report.trend}
    assert all(trend[m] == v for m, v in rd.EXPECTED_TREND.items())
    cutoff = service.periodic_report(pg_hub, "2025-Q1", offices=["00919"], cutoff=True, as_of=rd.AS_OF)
    assert tuple(getattr(cutoff.total, k) for k in COUNT_KEYS[:-1]) == rd.EXPECTED_Q1_CUTOFF_TOTAL
    both = service.periodic_report(pg_hub, "2025-Q1", as_of=rd.AS_OF)
    assert both.total.received == 27 and [r.counts.received for r in both.office_rows] == [13, 1, 13, 27]
    assert service.export_report(pg_hub, both, tmp_path / "tinh.xlsx").stat().st_size > 0
    with pytest.raises(NotFound):
        service.periodic_report(pg_hub, "2025-Q1", offices=["99999"])


def test_past_periods_as_they_stood_at_their_end_on_postgresql(pg_hub):
    """The history reading (JSON appointments, correlated subqueries, the 64-bit trend key)
    on PostgreSQL: the hand-computed history cases added to a commune change its figures by
    exactly the expected amounts."""
    def totals(period):
        report = service.periodic_report(pg_hub, period, offices=["00925"], as_of=rd.HISTORY_AS_OF)
        trend = {p.period.code: (p.received, p.on_time_num) for p in report.trend}
        return tuple(getattr(report.total, k) for k in COUNT_KEYS[:-1]), trend

    before = {period: totals(period) for period in rd.EXPECTED_HISTORY}
    rd.insert_history(pg_hub.db, [(dataclasses.replace(spec, key=f"P{spec.key}", office="00925"), steps)
                                  for spec, steps in rd.HISTORY])
    for period, expected in rd.EXPECTED_HISTORY.items():
        after, trend = totals(period)
        assert tuple(a - b for a, b in zip(after, before[period][0], strict=True)) == expected, period
    _q1, trend = totals("2025-Q1")
    for month in ("2025-02", "2025-03"):
        old = before["2025-Q1"][1][month]
        expected = rd.EXPECTED_HISTORY[month]
        assert (trend[month][0] - old[0], trend[month][1] - old[1]) == (expected[0], expected[-1]), month
