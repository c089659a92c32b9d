"""A PostgreSQL hub has no FTS index: the same search, pages and counts run on LIKE over the
folded columns. Runs against the server .ci/run starts (COMMUNE_DESK_TEST_PG), each test
in a database of its own."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from dossier_query_helpers import add_dossier
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commune_desk.domain.roles import Role
from commune_desk.services import dossier_query as dq
from commune_desk.services.context import Actor, Ctx, Database

PG = os.environ.get("COMMUNE_DESK_TEST_PG")
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG, reason="COMMUNE_DESK_TEST_PG is not set")]
UTC = dt.UTC


@pytest.fixture
def pg_ctx(tmp_path):
    name = f"dq_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG).set(database=name)
    from commune_desk.services.office import SetupRequest, setup_office

    db = Database.open(tmp_path, url.render_as_string(hide_password=False))
    try:
        setup_office(db, SetupRequest(role="hub", office_code="08", office_name="UBND tỉnh Tuyên Quang",
                                      admin_username="admin", admin_password="matkhau-123"))
        yield Ctx(db, Actor(None, "canbo", "Cán bộ", Role.HUB))
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_search_pages_and_counts_on_postgresql(pg_ctx):
    db = pg_ctx.db
    assert db.engine.dialect.name == "postgresql"
    people = [("Nguyễn Thị Đào", "008190012345", "0912345678"), ("Đỗ Văn Đức", "002085123456", "0387654321"),
              ("Nguyễn Văn Đạo", "008090777777", None), ("Trần Đào Nguyên", "001300123123", "0977000111")]
    for i, (name, id_number, phone) in enumerate(people):
        add_dossier(db, name=name, code=f"000.00.19.H56-26112{i}-000{i + 1}", id_number=id_number, phone=phone,
                    received=dt.datetime(2026, 11, 20 + i, 2, tzinfo=UTC),
                    due=None if i == 2 else dt.datetime(2026, 11, 22 + i, 10, tzinfo=UTC))

    def names(query: str) -> list[str]:
        return [r.applicant_name for r in dq.search(pg_ctx, query)]

    assert names("nguyen thi dao") == ["Nguyễn Thị Đào"]
    assert names("DO VAN DUC") == ["Đỗ Văn Đức"]
    assert names("dao") == ["Trần Đào Nguyên", "Nguyễn Văn Đạo", "Nguyễn Thị Đào"]
    assert names("000.00.19.h56-261121-0002") == ["Đỗ Văn Đức"]
    assert names("0912 345 678") == ["Nguyễn Thị Đào"]
    assert names("00809077") == ["Nguyễn Văn Đạo"]
    assert names("50% _x") == []
    flt = dq.DossierFilter()
    now = dt.datetime(2026, 11, 27, tzinfo=UTC)
    assert dq.count(pg_ctx, flt, now=now) == 4
    assert dq.count(pg_ctx, dq.DossierFilter(overdue=True), now=now) == 3
    for sort in dq.SORTS:
        for desc in (True, False):
            first = dq.fetch_page(pg_ctx, flt, sort, desc, limit=3, now=now)
            rest = dq.fetch_page(pg_ctx, flt, sort, desc, after=first[-1].key, limit=3, now=now)
            last = dq.fetch_page(pg_ctx, flt, sort, desc, from_end=True, limit=2, now=now)
            ids = [r.id for r in first + rest]
            assert len(set(ids)) == 4, (sort, desc)
            assert [r.id for r in last] == ids[2:], (sort, desc)
            marks = dq.bookmarks(pg_ctx, flt, sort, desc, every=2, now=now)
            assert [r.id for r in dq.fetch_page(pg_ctx, flt, sort, desc, after=marks[0], limit=2, now=now)] == ids[2:]
    due_order = [r.applicant_name for r in dq.fetch_page(pg_ctx, flt, "due", False, limit=10, now=now)]
    assert due_order[-1] == "Nguyễn Văn Đạo"    # no appointment: last, as on SQLite
