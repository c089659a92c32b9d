"""A commune's bundles reach the hub through a folder (the USB stick): whole, once, in order,
and only from an enrolled office. Runs on SQLite and on PostgreSQL (COMMUNE_DESK_TEST_PG)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sync_helpers import (  # noqa: F401  (fixtures)
    add_dossiers,
    admin,
    db_fingerprint,
    dossier_rows,
    enroll,
    new_commune,
    pair_fixture,
    set_status,
)

from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.store.models import ChangeLog, Dossier, DossierEvent, Procedure
from commune_desk.store.models.sync import SyncIncoming


def test_hub_imports_a_communes_dossiers_exactly(pair):
    codes = add_dossiers(pair.commune, 25, events=2)
    exported = pair.export()
    assert exported.new is not None and exported.new.seq == 1
    assert [f.name for f in exported.files] == [exported.new.file_name]
    assert str(pair.folder / "usb") in exported.message

    run = pair.import_()
    (report,) = run.reports
    assert report.status == "applied", report.message
    assert report.created == {"dossier": 25, "dossier_event": 50} | {k: v for k, v in report.created.items()
                                                                    if k not in ("dossier", "dossier_event")}
    assert "Xã Minh Tân" in report.message
    # the same rows, column by column; the procedure reference now points at the hub's own
    # catalog row with the same national code (the commune's catalog is an alias of it)
    here, there = dossier_rows(pair.commune.db), dossier_rows(pair.hub.db)
    assert set(there) == set(codes)
    for c in codes:
        assert {k: v for k, v in here[c].items() if k != "procedure_id"} == \
            {k: v for k, v in there[c].items() if k != "procedure_id"}
    with pair.hub.db.read() as s:
        hub_procs = dict(s.execute(select(Procedure.id, Procedure.code)).all())
    assert all(hub_procs[uuid.UUID(there[c]["procedure_id"])] == there[c]["procedure_code"] for c in codes)
    # the summary is persisted with timings
    with pair.hub.db.read() as s:
        incoming = s.scalars(select(SyncIncoming)).one()
        assert incoming.status == "applied" and incoming.summary["totals"]["created"] >= 75
        assert incoming.summary["timings"]["total"] >= 0


def test_hub_second_import_of_same_bundle_changes_nothing(pair):
    add_dossiers(pair.commune, 5)
    pair.export()
    pair.import_()
    before = db_fingerprint(pair.hub.db)
    run = pair.import_()
    assert run.reports[0].status == "duplicate"
    assert "đã được nhập trước đó" in run.reports[0].message
    # only the acknowledgement file was written again; the database did not change
    assert db_fingerprint(pair.hub.db) == before


def test_hub_dry_run_previews_and_writes_nothing(pair):
    add_dossiers(pair.commune, 12)
    pair.export()
    before = db_fingerprint(pair.hub.db)
    run = pair.import_(dry_run=True)
    report = run.reports[0]
    assert report.status == "applied" and report.dry_run
    assert report.created["dossier"] == 12
    assert "sẽ tạo" in report.message
    assert run.acks == []
    assert db_fingerprint(pair.hub.db) == before
    # and the real import afterwards does it
    assert pair.import_().reports[0].created["dossier"] == 12


def test_hub_updates_newer_versions_and_ignores_older(pair):
    codes = add_dossiers(pair.commune, 3)
    pair.export()
    pair.import_()
    set_status(pair.commune, codes[0], "in_progress")
    set_status(pair.commune, codes[0], "resolved")
    second = pair.export()
    # two changes of one dossier travel once, as it is now
    assert second.new.seq == 2 and second.new.counts["dossier"] == 1
    with pair.commune.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.bundle_seq == 2,
                                                                         ChangeLog.entity == "dossier")) == 2
    report = sync_hub.import_paths(pair.hub, [second.new.path]).reports[0]
    assert report.status == "applied" and report.updated["dossier"] == 1
    with pair.hub.db.read() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == codes[0])).one()
        assert (d.status, d.version) == ("resolved", 3)


def test_hub_holds_a_bundle_after_a_gap_and_applies_it_when_the_gap_is_filled(pair):
    add_dossiers(pair.commune, 2, start=0)
    b1 = pair.export().new
    add_dossiers(pair.commune, 2, start=2)
    b2 = pair.export().new
    add_dossiers(pair.commune, 2, start=4)
    b3 = pair.export().new
    report = sync_hub.import_paths(pair.hub, [b3.path]).reports[0]
    assert report.status == "held"
    assert "Thiếu gói số 1–2 của Xã Minh Tân" in report.message
    assert sync_hub.status(pair.hub)[0].missing == [1, 2]
    assert sync_hub.status(pair.hub)[0].held == [3]
    report = sync_hub.import_paths(pair.hub, [b2.path]).reports[0]
    assert report.status == "held" and "Thiếu gói số 1 của Xã Minh Tân" in report.message
    with pair.hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 0
    report = sync_hub.import_paths(pair.hub, [b1.path]).reports[0]
    assert report.status == "applied"
    assert [r.seq for r in report.then_applied] == [2, 3]
    assert all(r.status == "applied" for r in report.then_applied)
    with pair.hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 6
    row = sync_hub.status(pair.hub)[0]
    assert (row.last_seq, row.held, row.missing) == (3, [], [])


def test_hub_refuses_an_unknown_office_and_changes_nothing(pair, tmp_path):
    stranger = new_commune(tmp_path / "stranger", "00922", "Xã Lạ", "000.00.22.H56")
    try:
        # the stranger trusts the hub but the hub never accepted its request
        invite = sync_hub.invite(pair.hub, tmp_path / "invite2.json")
        commune_sync.enroll(stranger, invite.path, tmp_path / "req2.json")
        add_dossiers(stranger, 2)
        out = commune_sync.export(stranger, tmp_path / "usb2")
        before = db_fingerprint(pair.hub.db)
        report = sync_hub.import_paths(pair.hub, out.files).reports[0]
        assert report.status == "refused" and report.code == "unknown_office"
        assert "chưa đăng ký" in report.message
        assert db_fingerprint(pair.hub.db) == before
    finally:
        stranger.db.close()


def test_hub_clone_alarm_for_two_different_bundles_with_one_number(pair):
    add_dossiers(pair.commune, 2)
    first = pair.export().new
    data = first.path.read_bytes()
    pair.import_()
    # a copy of the commune's database on a second PC makes another bundle number 1
    with pair.commune.db.write(capture_changes=False) as s:
        from sqlalchemy import delete

        from commune_desk.store.models.sync import SyncOutgoing
        s.execute(delete(SyncOutgoing))
        s.execute(ChangeLog.__table__.update().values(bundle_seq=None, acked=False))
    first.path.write_bytes(data)
    add_dossiers(pair.commune, 1, start=10)
    clone = pair.export().new
    assert clone.seq == 1
    report = sync_hub.import_paths(pair.hub, [clone.path]).reports[0]
    assert report.status == "clone"
    assert "hai gói khác nhau cùng số 1" in report.message
    row = sync_hub.status(pair.hub)[0]
    assert row.alarm and "số 1" in row.alarm
    with pair.hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 2


def test_hub_keeps_both_versions_of_a_dossier_code_collision(pair, tmp_path):
    add_dossiers(pair.commune, 2)
    pair.export()
    pair.import_()
    # another commune wrongly issues the same dossier code
    other = new_commune(tmp_path / "other", "00922", "Xã Bình An", "000.00.22.H56")
    try:
        enroll(other, pair.hub, tmp_path / "o")
        add_dossiers(other, 1, prefix=pair.commune.db.require_office().unit_id)
        out = commune_sync.export(other, tmp_path / "usb-other")
        report = sync_hub.import_paths(pair.hub, out.files).reports[0]
        assert report.status == "applied"
        assert [c["kind"] for c in report.conflicts] == ["code_collision"]
        # its history could not be attached either: rejected with the reason, kept for review
        assert report.rejected and "Thiếu bản ghi cha" in report.rejected[0]["reason"]
        conflicts = sync_hub.conflicts(pair.hub)
        collision = next(c for c in conflicts if c.kind == "code_collision")
        assert collision.local_row["office_code"] == "00919"
        assert collision.incoming_row["office_code"] == "00922"
        assert collision.local_row["code"] == collision.incoming_row["code"]
        assert sync_hub.status(pair.hub)[1].open_conflicts == 2
        sync_hub.resolve_conflict(pair.hub, collision.id)
        assert all(c.id != collision.id for c in sync_hub.conflicts(pair.hub))
    finally:
        other.db.close()


def test_hub_records_a_change_made_on_both_sides_as_a_conflict(pair):
    codes = add_dossiers(pair.commune, 1)
    pair.export()
    pair.import_()
    # someone at the hub edits the commune's dossier (capture is on for local edits)
    with pair.hub.db.write() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == codes[0])).one()
        d.note = "sửa ở cấp trên"
    set_status(pair.commune, codes[0], "in_progress")
    report = pair.import_(pair.export().new.path).reports[0]
    assert [c["kind"] for c in report.conflicts] == ["both_changed"]
    (conflict,) = sync_hub.conflicts(pair.hub)
    assert conflict.local_row["note"] == "sửa ở cấp trên"
    assert conflict.incoming_row["status"] == "in_progress"
    with pair.hub.db.read() as s:  # the owner's version is the one in the table
        assert s.scalars(select(Dossier.status).where(Dossier.code == codes[0])).one() == "in_progress"


def test_sync_ack_marks_changes_acknowledged_and_resends_what_did_not_arrive(pair):
    add_dossiers(pair.commune, 2)
    b1 = pair.export().new
    add_dossiers(pair.commune, 2, start=2)
    b2 = pair.export().new
    add_dossiers(pair.commune, 2, start=4)
    b3 = pair.export().new
    # bundle 2 was lost on the way: the hub gets 1 and 3
    run = sync_hub.import_paths(pair.hub, [b1.path, b3.path])
    assert [r.status for r in run.reports] == ["applied", "held"]
    (ack_file,) = run.acks
    result = commune_sync.apply_ack(pair.commune, ack_file)
    assert result.acked == [1] and result.held == [3] and result.resend == [2]
    assert (ack_file.parent / b2.file_name).exists(), "the missing bundle is copied back next to the ack"
    assert "Đã chép lại gói 2" in result.message
    with pair.commune.db.read() as s:
        acked = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.acked.is_(True)))
        first = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.bundle_seq == 1))
        assert acked == first
    statuses = {b.seq: b.status for b in commune_sync.list_bundles(pair.commune.db)}
    assert statuses == {1: "acked", 2: "failed", 3: "held"}
    assert not b1.path.exists(), "an acknowledged bundle leaves the outbox"
    # nothing new, so export copies exactly what is still unacknowledged
    again = pair.export()
    assert again.new is None and sorted(f.name for f in again.files) == [b2.file_name, b3.file_name]
    run = pair.import_()
    flat = run.flat()
    assert {r.seq: r.status for r in flat}[2] == "applied"
    result = commune_sync.apply_ack(pair.commune, run.acks[0])
    assert sorted(result.acked) == [2, 3] and not result.resend
    with pair.commune.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.acked.is_(False))) == 0


def test_sync_export_with_nothing_new_says_so(pair):
    add_dossiers(pair.commune, 1)
    pair.export()
    commune_sync.apply_ack(pair.commune, pair.import_().acks[0])
    result = pair.export()
    assert result.files == [] and result.new is None
    assert "không có gì để chép" in result.message


def test_sync_export_refuses_before_enrolment(admin_ctx, tmp_path):
    from commune_desk.errors import KnownError

    add_dossiers(admin_ctx, 1)
    with pytest.raises(KnownError, match="chưa đăng ký với cấp trên"):
        commune_sync.export(admin_ctx, tmp_path / "usb")
    assert not (tmp_path / "usb").exists() or not list((tmp_path / "usb").iterdir())


def test_hub_export_goes_down_and_the_commune_imports_it_with_the_same_checks(pair):
    import datetime as dt

    from commune_desk.store.models import CalendarDay

    # the hub updates its catalog (a fee) and adds a day off
    with pair.hub.db.write() as s:
        proc = s.scalars(select(Procedure).order_by(Procedure.code)).first()
        proc.fees = [{"name": "Lệ phí", "amount_vnd": 15000, "note": None}]
        code = proc.code
        s.add(CalendarDay(day=dt.date(2027, 4, 30) + dt.timedelta(days=3), kind="off", note="Nghỉ bù"))
    out = sync_hub.export(pair.hub, "00919", pair.folder / "down")
    bundles = [f for f in out.files if f.suffix == ".cdb"]
    assert len(bundles) == 1
    def unbundled_by_entity(s) -> dict[str, int]:
        return dict(s.execute(select(ChangeLog.entity, func.count()).where(ChangeLog.bundle_seq.is_(None))
                              .group_by(ChangeLog.entity)).all())

    with pair.commune.db.read() as s:
        unbundled = unbundled_by_entity(s)
    report = commune_sync.import_file(pair.commune, bundles[0])
    assert report.status == "applied", report.message
    with pair.commune.db.read() as s:
        mine = s.scalars(select(Procedure).where(Procedure.code == code)).one()
        assert mine.fees == [{"name": "Lệ phí", "amount_vnd": 15000, "note": None}]
        assert mine.office_code == "00919"  # still the commune's row, updated from the hub's catalog
        assert s.scalars(select(CalendarDay).where(CalendarDay.day == dt.date(2027, 5, 3))).one().note == "Nghỉ bù"
        # nothing of this goes back up: the import's only change-log entry is its own audit entry
        assert unbundled_by_entity(s) == {**unbundled, "audit_entry": unbundled.get("audit_entry", 0) + 1}
    again = commune_sync.import_file(pair.commune, bundles[0])
    assert again.status == "duplicate"
    # the next export has only what changed since
    assert sync_hub.export(pair.hub, "00919", pair.folder / "down2").files[0].suffix == ".cdb"  # unacked resent
    assert DossierEvent  # imported for the type checker
    assert admin  # helper used by other tests
