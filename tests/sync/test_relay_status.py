"""The competent commune's steps change the receiving office's own copy of the dossier:
Minh Tân (A) receives a dossier for Thuận Hoà (B); B processes it and marks the result
ready; through the hub A's list shows "result ready" (not overdue, off the due board), A
returns it to the citizen, and through the hub B sees it returned. The result comes back
to the office that received the dossier (FACTS.md 3, issue #4)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sync_helpers import add_dossiers, enroll, new_commune, pair_fixture  # noqa: F401

from commune_desk.errors import ValidationError
from commune_desk.services import dossier_query, lifecycle, sync_hub
from commune_desk.services import sync as commune_sync
from commune_desk.store.base import utcnow
from commune_desk.store.models import ChangeLog, Dossier, DossierEvent
from commune_desk.store.models.sync import SyncConflict


def _down(hub, office_code: str, folder):
    return [f for f in sync_hub.export(hub, office_code, folder).files if f.suffix == ".cdb"]


def _up(commune, hub, folder) -> None:
    up = commune_sync.export(commune, folder)
    report = sync_hub.import_paths(hub, [up.new.path]).reports[0]
    assert report.status == "applied" and report.totals["rejected"] == 0, report.message


def _import_down(hub, ctx, office_code: str, folder) -> list:
    reports = [commune_sync.import_file(ctx, f) for f in _down(hub, office_code, folder)]
    assert all(r.status in ("applied", "duplicate") for r in reports), [r.message for r in reports]
    return [r for r in reports if r.status == "applied"]


def _row(ctx, code: str) -> dict:
    with ctx.db.read() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        cols = ("status", "due_at", "result_ready_at", "returned_at", "finished_at", "outcome", "handler_name",
                "supplement_count", "supplement_paused_seconds", "extension_count", "version")
        return {c: getattr(d, c) for c in cols}


def _events(ctx, code: str) -> list[tuple[str, str]]:
    with ctx.db.read() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        return [(e.kind, e.office_code) for e in lifecycle.events_of(s, d.id)]


@pytest.fixture
def relayed(pair, tmp_path):
    """A dossier received at Minh Tân 6 days ago for Thuận Hoà, due yesterday, relayed to Thuận Hoà."""
    other = new_commune(tmp_path / "thuan-hoa", "00922", "Xã Thuận Hoà", "000.00.22.H56")
    enroll(other, pair.hub, tmp_path / "b")
    (code,) = add_dossiers(pair.commune, 1, events=1)
    received = utcnow() - dt.timedelta(days=6)
    with pair.commune.db.write() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        d.competent_office_code = "00922"
        d.received_at = received
        d.due_at = d.original_due_at = utcnow() - dt.timedelta(days=1)
        for ev in s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == d.id)):
            ev.at = received
    _up(pair.commune, pair.hub, tmp_path / "usb-a0")
    _import_down(pair.hub, other, "00922", tmp_path / "down-b0")
    yield pair, other, code
    other.db.close()


def test_competent_communes_result_reaches_the_receiving_office_which_returns_it(relayed, tmp_path):
    pair, other, code = relayed
    a, hub = pair.commune, pair.hub
    assert [b.code for b in lifecycle.due_board(a)[1] if b.category == "overdue"] == [code]

    # Thuận Hoà hands it to its official, then the result is ready (late: due yesterday)
    d_id = dossier_query.details(other, code).id
    lifecycle.assign(other, d_id, to_name="Công chức Tư pháp - Hộ tịch")
    lifecycle.result_ready(other, d_id, result_number="15/GCN", signer_name="Trần Văn Bình")
    at_b = _row(other, code)
    assert at_b["status"] == "result_ready" and at_b["outcome"] == "late"
    _up(other, hub, tmp_path / "usb-b1")

    # down at Minh Tân: the dossier is its own row, moved by Thuận Hoà's steps
    (report,) = _import_down(hub, a, "00919", tmp_path / "down-a1")
    assert report.totals["conflicts"] == 0, [c["reason"] for c in report.conflicts]
    at_a = _row(a, code)
    for col in ("status", "due_at", "result_ready_at", "finished_at", "outcome", "handler_name"):
        assert at_a[col] == at_b[col], col
    listed = next(r for r in dossier_query.fetch_page(a, dossier_query.DossierFilter()) if r.code == code)
    assert listed.status == "result_ready" and not listed.overdue
    assert code not in [b.code for b in lifecycle.due_board(a)[1]]
    assert not dossier_query.fetch_page(a, dossier_query.DossierFilter(overdue=True))

    # the same steps again (a re-sent downstream bundle) change nothing
    again = _down(hub, "00919", tmp_path / "down-a1-again")
    for f in again:
        assert commune_sync.import_file(a, f).status in ("duplicate", "applied")
    assert _row(a, code) == at_a

    # Minh Tân returns the result to the citizen itself
    step = lifecycle.return_result(a, code, received_by="Nguyễn Thị Lan")
    assert step.status == "returned"
    returned_at = _row(a, code)["returned_at"]
    _up(a, hub, tmp_path / "usb-a2")

    # ... and Thuận Hoà, through the hub, sees it returned, with the whole history
    (down_b,) = _import_down(hub, other, "00922", tmp_path / "down-b2")
    assert down_b.totals["rejected"] == 0 and down_b.totals["conflicts"] == 0, [c["reason"] for c in down_b.conflicts]
    seen = _row(other, code)
    assert seen["status"] == "returned" and seen["returned_at"] == returned_at
    assert seen["result_ready_at"] == at_b["result_ready_at"] and seen["outcome"] == "late"
    kinds = [k for k, _o in _events(other, code)]
    assert kinds[-3:] == ["assign", "result_ready", "return_result"]
    assert _events(a, code) == _events(other, code)


def test_receiving_office_row_change_travels_up_to_the_hub(relayed, tmp_path):
    pair, other, code = relayed
    d_id = dossier_query.details(other, code).id
    lifecycle.assign(other, d_id, to_name="Công chức Địa chính")
    _up(other, pair.hub, tmp_path / "usb-b1")
    _import_down(pair.hub, pair.commune, "00919", tmp_path / "down-a1")
    with pair.commune.db.read() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        pending = s.scalars(select(ChangeLog.entity).where(ChangeLog.record_id == d.id,
                                                          ChangeLog.bundle_seq.is_(None))).all()
    assert pending == ["dossier"], "the owner's copy moved: it goes up like any change of its own"
    _up(pair.commune, pair.hub, tmp_path / "usb-a2")
    with pair.hub.db.read() as s:
        assert s.scalars(select(Dossier.status).where(Dossier.code == code)).one() == "processing"


def test_a_step_illegal_here_stays_in_history_and_is_reported(relayed, tmp_path):
    pair, other, code = relayed
    a = pair.commune
    d_id = dossier_query.details(other, code).id
    # Minh Tân refuses it meanwhile (its own step), Thuận Hoà marks the result ready
    lifecycle.refuse(a, code, reason="Công dân nộp nhầm nơi")
    lifecycle.assign(other, d_id, to_name="Công chức Tư pháp - Hộ tịch")
    lifecycle.result_ready(other, d_id, result_number="16/GCN", signer_name="Trần Văn Bình")
    before = _row(a, code)
    _up(other, pair.hub, tmp_path / "usb-b1")
    (report,) = _import_down(pair.hub, a, "00919", tmp_path / "down-a1")
    after = _row(a, code)
    assert after["status"] == "refused" and after == before, "the local state is not corrupted"
    assert [k for k, _o in _events(a, code)][-2:] == ["assign", "result_ready"], "kept in history"
    kinds = {c["kind"] for c in report.conflicts}
    assert kinds == {"relay_step"} and len(report.conflicts) == 2
    assert all(code in c["reason"] for c in report.conflicts)
    with a.db.read() as s:
        assert s.scalar(select(SyncConflict).where(SyncConflict.kind == "relay_step").limit(1)) is not None


def test_replay_step_takes_the_other_offices_appointment(relayed):
    pair, _other, code = relayed
    with pair.commune.db.read() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        state = lifecycle.state_of(d, lifecycle.events_of(s, d.id))
        env = lifecycle.flow_env(pair.commune.db, s, None)
    with pytest.raises(ValidationError):
        lifecycle.replay_step(state, "return_result", utcnow(), {"received_by": "X"}, env)
    moved = lifecycle.replay_step(state, "assign", utcnow(), {"to_name": "Cơ quan Thuế", "to_id": "x"}, env)
    assert moved.status.value == "processing" and moved.handler_id is None


def test_owners_row_behind_the_competent_communes_steps_keeps_them(relayed, tmp_path):
    """Minh Tân corrects the phone number before Thuận Hoà's steps reach it: at Thuận Hoà
    the owner's row brings the phone but does not take the dossier back to "received"."""
    pair, other, code = relayed
    d_id = dossier_query.details(other, code).id
    lifecycle.assign(other, d_id, to_name="Công chức Tư pháp - Hộ tịch")
    lifecycle.result_ready(other, d_id, result_number="17/GCN", signer_name="Trần Văn Bình")
    at_b = _row(other, code)
    with pair.commune.db.write() as s:
        s.scalars(select(Dossier).where(Dossier.code == code)).one().applicant_phone = "0912345678"
    _up(pair.commune, pair.hub, tmp_path / "usb-a1")
    (report,) = _import_down(pair.hub, other, "00922", tmp_path / "down-b1")
    assert report.totals["conflicts"] == 0, [c["reason"] for c in report.conflicts]
    after = _row(other, code)
    assert {k: v for k, v in after.items() if k != "version"} == {k: v for k, v in at_b.items() if k != "version"}
    with other.db.read() as s:
        assert s.scalars(select(Dossier.applicant_phone).where(Dossier.code == code)).one() == "0912345678"
