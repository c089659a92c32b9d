"""Dossier codes (FACTS.md 2.1) and the procedure picker's matching."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commune_desk.domain import codes
from commune_desk.services.catalog import shipped_specs
from commune_desk.services.intake import DocumentItem, FeeItem, ProcedureChoice, match_procedures

DAY = dt.date(2026, 2, 13)


def test_code_format():
    assert codes.dossier_code("000.00.19.H56", DAY, 0, 1) == "000.00.19.H56-260213-0001"
    assert codes.dossier_code("000.00.19.H56", DAY, 3, 12) == "000.00.19.H56-260213-3012"
    assert codes.parse_code("000.00.19.H56-260213-3012") == ("000.00.19.H56", DAY, 3012)
    assert codes.parse_code("000.00.19.H56-261313-0001") is None


@given(st.integers(0, 9), st.integers(0, 9), st.integers(1, 999), st.integers(1, 999))
def test_two_reception_points_never_issue_the_same_code(p, q, n, m):
    if p == q:
        return
    assert codes.dossier_code("000.00.19.H56", DAY, p, n) != codes.dossier_code("000.00.19.H56", DAY, q, m)


def test_every_point_stays_inside_its_block():
    for point in range(10):
        numbers = [codes.sequence_number(point, n) for n in (1, 999 if point == 0 else 999)]
        assert all(point * 1000 <= x < (point + 1) * 1000 for x in numbers)
    with pytest.raises(codes.SequenceExhausted):
        codes.sequence_number(0, 1000)
    with pytest.raises(codes.SequenceExhausted):
        codes.sequence_number(4, 1000)


def choices() -> list[ProcedureChoice]:
    out = []
    for spec in shipped_specs():
        out.append(ProcedureChoice(uuid.uuid4(), spec.code, spec.name, spec.field, spec.time_kind, spec.time_value,
                                   spec.cutoff_next_day, spec.returns_on_spot,
                                   tuple(DocumentItem(d["name"]) for d in spec.documents),
                                   tuple(FeeItem(f["name"], f["amount_vnd"]) for f in spec.fees), spec.result,
                                   spec.name_folded))
    return out


@pytest.mark.parametrize("query", ["kết hôn", "ket hon", "KẾT HÔN", "1.000894", "1.0008"])
def test_picker_finds_marriage_registration_with_or_without_diacritics(query):
    found = match_procedures(choices(), query)
    assert found, query
    assert found[0].code == "1.000894"


def test_picker_matches_every_word_anywhere_and_d_as_d():
    found = [c.code for c in match_procedures(choices(), "dang ky khai tu")]
    assert "1.000656" in found
    found = match_procedures(choices(), "khai tu")
    assert found and all("khai tu" in c.name_folded for c in found)
    assert "1.001193" not in [c.code for c in found]  # "Thủ tục đăng ký khai sinh": "tu" is only in "thủ tục"


def test_picker_code_prefix_lists_only_those_codes():
    found = match_procedures(choices(), "2.000")
    assert found and all(c.code.startswith("2.000") for c in found)


def test_picker_nothing_for_nonsense():
    assert match_procedures(choices(), "xyzzy quux") == []
