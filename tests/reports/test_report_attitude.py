"""TT 01/2018 index 7 (officials' attitude) from the citizens' own scores for criterion (đ),
worked out by hand on five dossiers resolved in 2025-Q1."""

from __future__ import annotations

import reportdata as rd
from reportdata import D

from commune_desk.services import reports as service

P1 = rd.P1
CASES = [
    D("A1", P1, "counter", "2025-01-05 08:00", "2025-01-08 17:00", "returned", "2025-01-07 10:00", "early",
      handler="Lê Văn Cường"),
    D("A2", P1, "counter", "2025-01-06 08:00", "2025-01-09 17:00", "returned", "2025-01-08 10:00", "early",
      handler="Lê Văn Cường"),
    D("A3", P1, "counter", "2025-01-07 08:00", "2025-01-10 17:00", "returned", "2025-01-09 10:00", "early",
      handler="Lê Văn Cường"),
    D("A4", P1, "counter", "2025-01-08 08:00", "2025-01-11 17:00", "returned", "2025-01-10 10:00", "early",
      handler="Lê Văn Cường"),
    D("A5", P1, "counter", "2025-01-09 08:00", "2025-01-12 17:00", "returned", "2025-01-11 10:00", "early",
      handler="Lê Văn Cường"),
    # still open at the end of the quarter: not resolved, never scored
    D("A6", P1, "counter", "2025-03-20 08:00", "2025-04-20 17:00", "processing", handler="Lê Văn Cường"),
]
RATINGS = [
    # A1: rated 2, then 0 later in the quarter: the latest counts -> 0
    ("A1", {"dd": 2}, False, False, "2025-01-08 09:00"),
    ("A1", {"dd": 0}, False, False, "2025-02-01 09:00"),
    # A2: a complaint, but the citizen scored attitude 1 -> 1
    ("A2", {"a": 0, "dd": 1}, True, False, "2025-01-09 09:00"),
    # A3: a "dislike" without an attitude score -> 0
    ("A3", {"a": 1}, False, True, "2025-01-10 09:00"),
    # A4: an imported rating keyed "đ" -> 1; a later one after the quarter is not counted
    ("A4", {"đ": 1}, False, False, "2025-01-12 09:00"),
    ("A4", {"dd": 0}, False, False, "2025-04-05 09:00"),
    # A5: attitude on a 1–5 scale (imported) is no TT 01 score: not rated on attitude -> 2
    ("A5", {"dd": 5}, False, False, "2025-01-12 09:00"),
    ("A6", {"dd": 0}, False, False, "2025-03-25 09:00"),
]


def test_attitude_index_is_the_citizens_score(admin_ctx):
    rd.insert(admin_ctx.db, CASES, RATINGS)
    report = service.periodic_report(admin_ctx, "2025-Q1", as_of=rd.AS_OF)
    (officer,) = report.officer_scores
    values = {i.number: i.value for i in officer.indices}
    # (0 + 1 + 0 + 1 + 2) / 5 = 0.8
    assert officer.dossiers == 5 and values[7] == 0.8
    assert not next(i for i in officer.indices if i.number == 7).approximate
    (unit,) = report.unit_scores
    assert unit.indices[6].value == 0.8
