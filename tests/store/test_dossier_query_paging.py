"""The list: keyset pages lose and repeat nothing in any sort order, the filters (overdue
included) give what a clerk expects, counts and bookmarks agree with the pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update

from commune_desk.domain.calendar import to_local
from commune_desk.domain.lifecycle import CLOCK_RUNNING
from commune_desk.errors import PermissionDenied, ValidationError
from commune_desk.services import demo
from commune_desk.services import dossier_query as dq
from commune_desk.store.models import Dossier

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def listed_template(tmp_path_factory, commune_template):
    """A commune with 700 demo dossiers, a few of them without an appointment (made once)."""
    import shutil

    from commune_desk.paths import DB_FILENAME
    from commune_desk.services.context import Actor, Ctx, Database

    folder = tmp_path_factory.mktemp("listed")
    shutil.copy(commune_template, folder / DB_FILENAME)
    db = Database.open(folder)
    demo.fill_demo(Ctx(db, Actor.system()), dossiers=700, staff=0, seed=7, now=NOW)
    with db.write() as s:
        ids = s.scalars(select(Dossier.id).order_by(Dossier.code).limit(9)).all()
        s.execute(update(Dossier).where(Dossier.id.in_(ids)).values(due_at=None))
    db.close()
    return folder / DB_FILENAME


@pytest.fixture
def listed(tmp_path, listed_template, clerk_ctx):  # noqa: ARG001 - clerk_ctx's own db is not used
    import shutil

    from commune_desk.domain.roles import Role
    from commune_desk.services.context import Actor, Ctx, Database

    folder = tmp_path / "listed"
    folder.mkdir()
    shutil.copy(listed_template, folder / listed_template.name)
    db = Database.open(folder)
    yield Ctx(db, Actor(None, "canbo", "Cán bộ", Role.CLERK))
    db.close()


def all_rows(ctx) -> list[Dossier]:
    with ctx.db.read() as s:
        rows = s.scalars(select(Dossier)).all()
        for r in rows:
            s.expunge(r)
        return rows


def expected_order(rows, sort: str, desc: bool) -> list[uuid.UUID]:
    """The list's order, computed in Python: empty appointments last in both directions."""
    attr = {"received": "received_at", "due": "due_at", "code": "code", "applicant": "applicant_folded"}[sort]
    filled = [r for r in rows if getattr(r, attr) is not None]
    empty = [r for r in rows if getattr(r, attr) is None]
    filled.sort(key=lambda r: (getattr(r, attr), r.id.hex), reverse=desc)
    empty.sort(key=lambda r: r.id.hex, reverse=desc)
    return [r.id for r in filled + empty]


def walk_forward(ctx, flt, sort, desc, size) -> list[uuid.UUID]:
    out, key = [], None
    while True:
        page = dq.fetch_page(ctx, flt, sort, desc, after=key, limit=size, now=NOW)
        out += [r.id for r in page]
        if len(page) < size:
            return out
        key = page[-1].key


def walk_backward(ctx, flt, sort, desc, size) -> list[uuid.UUID]:
    page = dq.fetch_page(ctx, flt, sort, desc, from_end=True, limit=size, now=NOW)
    out = [r.id for r in page]
    while len(page) == size:
        page = dq.fetch_page(ctx, flt, sort, desc, before=page[0].key, limit=size, now=NOW)
        out = [r.id for r in page] + out
    return out


@pytest.mark.parametrize("sort", sorted(dq.SORTS))
@pytest.mark.parametrize("desc", [True, False])
def test_pages_lose_and_repeat_nothing(listed, sort, desc):
    expected = expected_order(all_rows(listed), sort, desc)
    assert len(expected) == 700
    forward = walk_forward(listed, dq.DossierFilter(), sort, desc, 37)
    assert forward == expected
    assert walk_backward(listed, dq.DossierFilter(), sort, desc, 41) == expected


@pytest.mark.parametrize("sort", ["due", "received"])
def test_bookmarks_reach_any_page_directly(listed, sort):
    flt = dq.DossierFilter()
    expected = expected_order(all_rows(listed), sort, True)
    marks = dq.bookmarks(listed, flt, sort, True, every=50, now=NOW)
    assert len(marks) == 700 // 50
    for i in (0, 5, 12):
        page = dq.fetch_page(listed, flt, sort, True, after=marks[i], limit=50, now=NOW)
        assert [r.id for r in page] == expected[(i + 1) * 50:(i + 2) * 50]
    first = dq.bookmarks(listed, flt, sort, True, every=50, now=NOW, count=4)
    rest = dq.bookmarks(listed, flt, sort, True, every=50, now=NOW, after=first[-1])
    assert first + rest == marks
    odd = dq.bookmarks(listed, flt, sort, False, every=33, now=NOW)       # across the empty appointments
    ascending = expected_order(all_rows(listed), sort, False)
    assert [m[1] for m in odd] == [ascending[i * 33 + 32] for i in range(700 // 33)]


def test_filters(listed):
    rows = all_rows(listed)
    some = next(r for r in rows if r.field == "Hộ tịch")

    def ids(**kw):
        flt = dq.DossierFilter(**kw)
        got = walk_forward(listed, flt, "received", True, 100)
        assert dq.count(listed, flt, now=NOW) == len(got)
        return set(got)

    assert ids(statuses=("returned",)) == {r.id for r in rows if r.status == "returned"}
    assert ids(statuses=("refused", "withdrawn")) == {r.id for r in rows if r.status in ("refused", "withdrawn")}
    assert ids(procedure_id=some.procedure_id) == {r.id for r in rows if r.procedure_id == some.procedure_id}
    assert ids(field="Hộ tịch") == {r.id for r in rows if r.field == "Hộ tịch"}
    day_from, day_to = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    in_march = {r.id for r in rows if day_from <= to_local(r.received_at).date() <= day_to}
    assert in_march and ids(received_from=day_from, received_to=day_to) == in_march
    assert ids(field="Hộ tịch", statuses=("returned",)) == {
        r.id for r in rows if r.field == "Hộ tịch" and r.status == "returned"}


def test_overdue_is_derived_from_status_and_appointment(listed):
    rows = all_rows(listed)
    running = {s.value for s in CLOCK_RUNNING}
    expected = {r.id for r in rows if r.status in running and r.due_at is not None and r.due_at < NOW}
    assert expected, "the demo data should contain overdue dossiers"
    page = dq.fetch_page(listed, dq.DossierFilter(overdue=True), limit=500, now=NOW)
    assert {r.id for r in page} == expected
    assert all(r.overdue for r in page)
    # returned dossiers whose appointment passed long ago are not overdue
    returned = dq.fetch_page(listed, dq.DossierFilter(statuses=("returned",)), limit=50, now=NOW)
    assert returned and not any(r.overdue for r in returned)


def test_search_inside_the_list_pages_through_the_index(listed):
    flt = dq.DossierFilter(text="nguyen")
    total = dq.count(listed, flt, now=NOW)
    with listed.db.read() as s:
        names = s.scalars(select(Dossier.applicant_folded)).all()
    assert total == sum(1 for n in names if "nguyen" in n.split()) > 50
    forward = walk_forward(listed, flt, "received", True, 17)
    assert len(forward) == len(set(forward)) == total
    assert walk_backward(listed, flt, "received", True, 19) == forward
    marks = dq.bookmarks(listed, flt, every=10, now=NOW)
    assert [r.id for r in dq.fetch_page(listed, flt, after=marks[2], limit=10, now=NOW)] == forward[30:40]
    with_status = dq.DossierFilter(text="nguyen", statuses=("returned",))
    got = walk_forward(listed, with_status, "received", True, 25)
    assert dq.count(listed, with_status, now=NOW) == len(got) > 0


def test_bad_filters_and_roles(listed):
    with pytest.raises(ValidationError, match="Ngày bắt đầu"):
        dq.fetch_page(listed, dq.DossierFilter(received_from=dt.date(2026, 2, 1), received_to=dt.date(2026, 1, 1)))
    with pytest.raises(ValidationError, match="Trạng thái không hợp lệ"):
        dq.count(listed, dq.DossierFilter(statuses=("lost",)))
    from commune_desk.domain.roles import Role
    from commune_desk.services.context import Actor, Ctx

    trainer = Ctx(listed.db, Actor(None, "gv", "Giảng viên", Role.TRAINER))
    with pytest.raises(PermissionDenied):
        dq.fetch_page(trainer, dq.DossierFilter())


def test_details_mask_the_id_number_and_tell_the_history(listed):
    with listed.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.status == "returned", Dossier.applicant_id_number.is_not(None),
                                           Dossier.supplement_count == 1).limit(1))
    info = dq.details(listed, d.id, now=NOW)
    assert info.code == d.code and info.status_label == "Đã trả kết quả"
    assert info.id_number_masked == d.applicant_id_number[:4] + "****" + d.applicant_id_number[-4:]
    assert d.applicant_id_number not in repr(info)
    labels = [h.label for h in info.history]
    assert labels[0] == "Tiếp nhận hồ sơ" and labels[-1] == "Trả kết quả"
    assert "Yêu cầu bổ sung hồ sơ" in labels and "Nhận hồ sơ đã bổ sung" in labels
    assert [h.at for h in info.history] == sorted(h.at for h in info.history)
    supplement = info.history[labels.index("Yêu cầu bổ sung hồ sơ")]
    assert "Nội dung cần bổ sung" in supplement.details
    assert dq.details(listed, d.code).id == d.id
