"""The citizen's rating: kept apart from who rated, one per dossier, and the satisfaction figure."""

from __future__ import annotations

from datetime import date

import pytest
from lifecycle_support import local, make_dossier, snapshot
from sqlalchemy import inspect, select

from commune_desk.errors import ValidationError
from commune_desk.services import lifecycle as lc
from commune_desk.services import ratings
from commune_desk.store.models import DossierEvent, Rating


@pytest.fixture
def returned(clerk_ctx, db):
    d = make_dossier(db, local(2026, 3, 2, 9, 0))
    lc.assign(clerk_ctx, d, to_name="Hoàng Văn Hộ", at=local(2026, 3, 2, 10, 0))
    lc.result_ready(clerk_ctx, d, result_number="1/QĐ", signer_name="Trần Văn Chủ", at=local(2026, 3, 3, 9, 0))
    lc.return_result(clerk_ctx, d, received_by="Nguyễn Văn An", at=local(2026, 3, 3, 15, 0))
    return d


def test_rating_is_stored_without_the_raters_identity(clerk_ctx, db, returned):
    row = ratings.record_rating(clerk_ctx, returned, scores={"a": 2, "dd": 1, "h": None}, comment="Cán bộ nhiệt tình",
                                at=local(2026, 3, 3, 15, 5))
    assert row.scores == {"a": 2, "dd": 1} and row.points == 1.5
    columns = {c["name"] for c in inspect(db.engine).get_columns("rating")}
    assert not columns & {"applicant_name", "name", "id_number", "phone", "rater", "actor_id"}
    with db.read() as s:
        ev = s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == returned, DossierEvent.kind == "rate")).one()
        assert ev.data == {"rating_id": str(row.id), "channel": "paper"}   # never the scores
        assert s.get(Rating, row.id).comment == "Cán bộ nhiệt tình"
    assert lc.card(clerk_ctx, returned).rated


@pytest.mark.parametrize(("scores", "message"), [
    ({"a": 3}, "0, 1 hoặc 2"), ({"z": 1}, "Không có tiêu chí"), ({}, "chưa có nội dung"),
])
def test_bad_ratings_are_refused_and_write_nothing(clerk_ctx, db, returned, scores, message):
    before = snapshot(db)
    with pytest.raises(ValidationError, match=message):
        ratings.record_rating(clerk_ctx, returned, scores=scores)
    assert snapshot(db) == before


def test_one_rating_per_dossier(clerk_ctx, db, returned):
    ratings.record_rating(clerk_ctx, returned, scores={"a": 2}, at=local(2026, 3, 3, 15, 5))
    before = snapshot(db)
    with pytest.raises(ValidationError, match="đã có đánh giá"):
        ratings.record_rating(clerk_ctx, returned, scores={"a": 0}, dislike=True, at=local(2026, 3, 3, 15, 6))
    assert snapshot(db) == before
    opts = {o.action: o for o in lc.available_actions(clerk_ctx, returned)}
    assert not opts["rate"].enabled


def test_a_sheet_from_the_comment_box_needs_no_dossier(clerk_ctx):
    row = ratings.record_rating(clerk_ctx, None, scores={}, complaint=True, comment="Phải chờ lâu", channel="box")
    assert row.dossier_id is None and row.complaint


def test_satisfaction_subtracts_overdue_and_complaints(clerk_ctx, admin_ctx, db, returned):  # noqa: ARG001
    late = make_dossier(db, local(2026, 3, 2, 9, 30), applicant="Trễ Hạn")          # due 05/03, still open
    other = make_dossier(db, local(2026, 3, 2, 10, 0), applicant="Không Hài Lòng")
    lc.refuse(clerk_ctx, other, reason="Sai thẩm quyền", at=local(2026, 3, 2, 11, 0))
    ratings.record_rating(clerk_ctx, other, scores={"dd": 0}, dislike=True, at=local(2026, 3, 2, 11, 5))
    figure = ratings.satisfaction(admin_ctx, date(2026, 3, 1), date(2026, 3, 31), now=local(2026, 3, 20, 8, 0))
    assert (figure.received, figure.overdue, figure.complained) == (3, 1, 1)
    assert figure.percent == pytest.approx(100 - 100 * 2 / 3, abs=0.05)
    assert late
