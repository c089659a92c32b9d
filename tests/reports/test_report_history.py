"""A report for a past period judges its open dossiers as they stood at the period's end
(from the dossier's history), not as they stand when the report is made: hand-computed
cases in tests/reports/reportdata.py (HISTORY)."""

from __future__ import annotations

import pytest
import reportdata as rd

from commune_desk.reports.model import COUNT_KEYS
from commune_desk.services import reports as service

SHOWN = COUNT_KEYS[:-1]


@pytest.fixture
def history(admin_ctx):
    rd.insert_history(admin_ctx.db)
    return admin_ctx


@pytest.mark.parametrize("period", sorted(rd.EXPECTED_HISTORY))
def test_each_period_as_it_stood_at_its_end(history, period):
    report = service.periodic_report(history, period, as_of=rd.HISTORY_AS_OF)
    assert tuple(getattr(report.total, k) for k in SHOWN) == rd.EXPECTED_HISTORY[period]


def test_supplement_completed_after_the_period_was_waiting_at_its_end(history):
    # H1 is returned now; at 31/03 it waited for the citizen, asked after its appointment
    rd.insert_history(history.db, [c for c in rd.HISTORY if c[0].key == "H1"])   # a second copy
    q1 = service.periodic_report(history, "2025-Q1", as_of=rd.HISTORY_AS_OF).total
    assert (q1.received, q1.waiting, q1.open, q1.resolved) == (8, 2, 5, 1)
    assert q1.received - q1.on_time_num == 4        # both H1, H4, H6 counted overdue


def test_trend_months_match_the_month_reports(history):
    q1 = service.periodic_report(history, "2025-Q1", as_of=rd.HISTORY_AS_OF)
    trend = {p.period.code: (p.received, p.on_time_num) for p in q1.trend}
    for month in ("2025-02", "2025-03"):
        expected = rd.EXPECTED_HISTORY[month]
        assert trend[month] == (expected[0], expected[-1]), month
