"""Search: by name, code, ID number or phone, ignoring case, diacritics and đ; on the FTS
index (SQLite) and on the LIKE fallback that a PostgreSQL hub uses."""

from __future__ import annotations

import datetime as dt

import pytest
from dossier_query_helpers import add_dossier
from sqlalchemy import delete, select, update

from commune_desk.errors import ValidationError
from commune_desk.services import dossier_query as dq
from commune_desk.store import search_index
from commune_desk.store.models import Dossier, DossierEvent

UTC = dt.UTC


@pytest.fixture
def people(db):
    add_dossier(db, name="Nguyễn Thị Đào", code="000.00.19.H56-261120-0007", id_number="008190012345",
                phone="0912345678", received=dt.datetime(2026, 11, 20, 2, tzinfo=UTC))
    add_dossier(db, name="Đỗ Văn Đức", code="000.00.19.H56-261121-0001", id_number="002085123456",
                phone="0387654321", received=dt.datetime(2026, 11, 21, 2, tzinfo=UTC))
    add_dossier(db, name="Nguyễn Văn Đạo", code="000.00.19.H56-261122-0001", id_number="008090777777",
                phone="0977000111", received=dt.datetime(2026, 11, 22, 2, tzinfo=UTC))
    add_dossier(db, name="Trần Đào Nguyên", code="000.00.19.H56-261123-0002", id_number="001300123123",
                phone=None, received=dt.datetime(2026, 11, 23, 2, tzinfo=UTC))
    return db


def names(rows) -> list[str]:
    return [r.applicant_name for r in rows]


@pytest.fixture(params=["fts", "like"])
def engine_kind(request, monkeypatch):
    """Every case runs twice: on the FTS index and on the LIKE fallback of PostgreSQL hubs."""
    if request.param == "like":
        monkeypatch.setattr(dq, "uses_index", lambda s: False)
    return request.param


@pytest.mark.parametrize(("query", "expected"), [
    ("nguyen thi dao", ["Nguyễn Thị Đào"]),
    ("NGUYỄN THỊ ĐÀO", ["Nguyễn Thị Đào"]),
    ("Nguyen Thi Đ", ["Nguyễn Thị Đào"]),         # typing: the last word is a prefix
    ("do van duc", ["Đỗ Văn Đức"]),               # đ is d, at the start of a word too
    ("ĐỖ", ["Đỗ Văn Đức"]),
    ("000.00.19.H56-261121-0001", ["Đỗ Văn Đức"]),  # the whole code
    ("261122-0001", ["Nguyễn Văn Đạo"]),            # the date and number of the code
    ("008190012345", ["Nguyễn Thị Đào"]),           # ID number
    ("00809077", ["Nguyễn Văn Đạo"]),               # its beginning
    ("0912345678", ["Nguyễn Thị Đào"]),             # phone
    ("0912 345 678", ["Nguyễn Thị Đào"]),           # as it is written down
    ("+84 912 345 678", ["Nguyễn Thị Đào"]),
    ("khong co ai", []),
])
def test_search_finds_the_dossier(people, clerk_ctx, engine_kind, query, expected):  # noqa: ARG001
    assert names(dq.search(clerk_ctx, query)) == expected


def test_a_name_finds_everyone_who_has_it_newest_first(people, clerk_ctx, engine_kind):  # noqa: ARG001
    assert names(dq.search(clerk_ctx, "dao")) == ["Trần Đào Nguyên", "Nguyễn Văn Đạo", "Nguyễn Thị Đào"]
    assert names(dq.search(clerk_ctx, "nguyen")) == ["Trần Đào Nguyên", "Nguyễn Văn Đạo", "Nguyễn Thị Đào"]


@pytest.mark.usefixtures("people")
def test_words_in_another_order_still_find_the_name(clerk_ctx):
    assert names(dq.search(clerk_ctx, "dao nguyen thi")) == ["Nguyễn Thị Đào"]
    assert names(dq.search(clerk_ctx, "Nguyễn Thị Đào 0912 345 678")) == ["Nguyễn Thị Đào"]   # name and phone
    assert names(dq.search(clerk_ctx, "nguyen 261123 0002")) == ["Trần Đào Nguyên"]           # name and code


@pytest.mark.usefixtures("people")
def test_search_results_mask_the_id_number_and_limit(clerk_ctx):
    rows = dq.search(clerk_ctx, "nguyen", limit=2)
    assert len(rows) == 2
    assert rows[0].id_number_masked == "0013****3123"
    assert "001300123123" not in repr(rows[0].as_dict())


def test_empty_search_is_refused_with_a_message(clerk_ctx):
    with pytest.raises(ValidationError, match="Hãy nhập tên"):
        dq.search(clerk_ctx, "  --  ")


def test_triggers_keep_the_index_in_step(people, clerk_ctx):
    """Renaming (a correction, anonymisation) and deleting reach the index by themselves."""
    db = people
    with db.write() as s:
        s.execute(update(Dossier).where(Dossier.code == "000.00.19.H56-261121-0001")
                  .values(applicant_name="Lò Văn Páo", applicant_folded="lo van pao", applicant_phone="0888000111"))
    assert names(dq.search(clerk_ctx, "do van duc")) == []
    assert names(dq.search(clerk_ctx, "lo van pao")) == ["Lò Văn Páo"]
    assert names(dq.search(clerk_ctx, "0888000111")) == ["Lò Văn Páo"]
    with db.write() as s:
        target = s.scalar(select(Dossier.id).where(Dossier.code == "000.00.19.H56-261122-0001"))
        s.execute(delete(DossierEvent).where(DossierEvent.dossier_id == target))
        s.execute(delete(Dossier).where(Dossier.id == target))
    assert names(dq.search(clerk_ctx, "dao")) == ["Trần Đào Nguyên", "Nguyễn Thị Đào"]
    with db.engine.connect() as conn:
        assert search_index.status(conn) == (3, 3)
        assert search_index.total(conn) == 3
    assert dq.count(clerk_ctx, dq.DossierFilter()) == 3


def test_a_dossier_saved_at_the_desk_is_found_at_once(clerk_ctx):
    """The intake service writes through the ORM: the trigger indexes the new dossier."""
    from commune_desk.services import intake

    proc = intake.procedure_by_code(clerk_ctx, "2.000815")
    form = intake.IntakeForm(procedure_code=proc.code, name="Hoàng Thị Ngọc Ánh", id_number="008195004321",
                             dob=dt.date(1995, 3, 4), phone="0912000999", address="Thôn Minh Khai, Xã Minh Tân",
                             documents=[intake.DocumentLine(d.name, d.form, d.count, d.required, True)
                                        for d in proc.documents])
    saved = intake.receive_dossier(clerk_ctx, form)
    rows = dq.search(clerk_ctx, "hoang thi ngoc anh")
    assert [r.code for r in rows] == [saved.code]
    assert [r.code for r in dq.search(clerk_ctx, saved.code)] == [saved.code]


def test_rebuild_gives_the_same_results(people, clerk_ctx):
    before = names(dq.search(clerk_ctx, "nguyen"))
    with people.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM dossier_fts")
        conn.exec_driver_sql("DELETE FROM dossier_fts_key")
    assert dq.search(clerk_ctx, "nguyen") == []
    with people.engine.begin() as conn:
        assert search_index.rebuild(conn) == 4
        assert search_index.total(conn) == 4
    assert names(dq.search(clerk_ctx, "nguyen")) == before


def test_migration_creates_exactly_the_index_this_module_describes(db):
    """The SQL in 0001_foundation.py and store/search_index.py must not drift apart."""
    with db.engine.connect() as conn:
        stored = {r[0]: r[1] for r in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE name IN ('dossier_fts', 'dossier_fts_key', "
            "'dossier_fts_total', 'dossier_fts_ai', 'dossier_fts_au', 'dossier_fts_ad')")}
        assert search_index.total(conn) == 0
    expected = {
        "dossier_fts_key": search_index.TABLES[0], "dossier_fts": search_index.TABLES[1],
        "dossier_fts_total": search_index.TABLES[2], **search_index.TRIGGERS,
    }
    assert {k: " ".join(v.split()) for k, v in stored.items()} == {
        k: " ".join(v.split()) for k, v in expected.items()}


@pytest.mark.usefixtures("people")
def test_query_syntax_is_never_passed_through(clerk_ctx):
    """Quotes, stars and FTS operators typed by the clerk are just characters to ignore."""
    assert names(dq.search(clerk_ctx, '"dao"*')) == names(dq.search(clerk_ctx, "dao"))
    assert names(dq.search(clerk_ctx, 'dao" OR "*')) == []          # "or" is a word nobody has
    assert names(dq.search(clerk_ctx, "NEAR(nguyen, dao)")) == []
    assert names(dq.search(clerk_ctx, "nguyen -thi")) == names(dq.search(clerk_ctx, "nguyen thi"))
