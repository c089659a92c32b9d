"""A bundle export is audited, and its audit entry travels inside the bundle it describes:
exporting again with no new work makes no bundle, and the hub holds the commune's whole
chain (export included) plus its own entry for each import. The first-run setup's entries
name the administrator created then."""

from __future__ import annotations

from sqlalchemy import select
from sync_helpers import add_dossiers, enroll

from commune_desk.domain.roles import Role
from commune_desk.services import audit, sync_hub
from commune_desk.services import sync as commune_sync
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import AuditEntry


def entries(db, action: str, installation=None) -> list[AuditEntry]:
    with db.read() as s:
        stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        if installation is not None:
            stmt = stmt.where(AuditEntry.installation == installation)
        return list(s.scalars(stmt))


def test_export_is_audited_inside_its_bundle_and_a_second_export_has_nothing_new(db, hub_db, tmp_path):
    commune = Ctx(db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    hub = Ctx(hub_db, Actor(None, "tinh", "Cán Bộ Tỉnh", Role.ADMIN))
    enroll(commune, hub, tmp_path)
    add_dossiers(Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK)), 1)

    first = commune_sync.export(commune, tmp_path / "usb")
    assert first.new is not None and first.new.seq == 1
    assert first.new.counts["audit_entry"] >= 1 and commune_sync.pending_change_count(db) == 0
    [made] = entries(db, "sync.bundle")
    assert made.actor == "admin" and made.target == "gói số 1"
    assert made.details["seq"] == 1 and made.details["to"] == str(tmp_path / "usb")
    assert made.details["counts"] == dict(first.new.counts) and made.details["records"] == first.new.record_count

    # no new work: no new bundle, no new entry (bundle 1 is copied again: not yet acknowledged)
    second = commune_sync.export(commune, tmp_path / "usb2")
    assert second.new is None and [f.name for f in second.files] == [first.new.file_name]
    assert len(entries(db, "sync.bundle")) == 1 and commune_sync.pending_change_count(db) == 0
    assert [b.seq for b in commune_sync.list_bundles(db)] == [1]

    # the hub: the commune's chain arrives whole, the export entry in it; its own import entry
    run = sync_hub.import_paths(hub, [tmp_path / "usb"])
    assert run.reports[0].status == "applied"
    mine = db.require_office().installation_id
    [travelled] = entries(hub_db, "sync.bundle", mine)
    assert travelled.id == made.id and travelled.hash == made.hash
    with hub_db.read() as s:
        report = audit.verify_chain(s, mine)
        assert report.ok and report.entries == len([e for e in entries_all(db) if e.installation == mine])
    [imported] = entries(hub_db, "sync.import", hub_db.require_office().installation_id)
    assert imported.actor == "tinh" and imported.target.startswith("00919 ")
    assert imported.details["seq"] == 1 and imported.details["status"] == "applied"
    assert imported.details["office_code"] == "00919" and imported.details["records"] > 0
    assert "đã nhập" in audit.describe_details("sync.import", imported.details)

    # the same bundle again: nothing changes at the hub (no entry either)
    assert sync_hub.import_paths(hub, [tmp_path / "usb2"]).reports[0].status == "duplicate"
    assert [e.details["status"] for e in entries(hub_db, "sync.import")] == ["applied"]
    with hub_db.read() as s:
        assert audit.verify_chain(s).ok

    # more work: the next bundle is number 2 and carries its own export entry
    add_dossiers(Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK)), 1, start=1)
    third = commune_sync.export(commune, tmp_path / "usb3")
    assert third.new is not None and third.new.seq == 2
    assert [e.details["seq"] for e in entries(db, "sync.bundle")] == [1, 2]


def entries_all(db) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry)))


def test_setup_entries_name_the_administrator_created(db):
    setup = [e for e in entries_all(db) if e.seq == 1]
    assert [(e.actor, e.action) for e in setup] == [("admin", "data.change")]  # the shipped catalog
    assert all(e.actor != "unknown" for e in entries_all(db))


def test_a_commune_audits_the_downstream_bundle_it_imports(db, hub_db, tmp_path):
    """Who brought the hub's bundle in, from where, with what result: in the commune's own
    chain. A dry run and the same bundle a second time write no entry."""
    from commune_desk.store.models import Procedure

    commune = Ctx(db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    hub = Ctx(hub_db, Actor(None, "tinh", "Cán Bộ Tỉnh", Role.ADMIN))
    enroll(commune, hub, tmp_path)
    with hub_db.write() as s:  # the hub changes a fee in its catalog
        s.scalars(select(Procedure).order_by(Procedure.code)).first().fees = [
            {"name": "Lệ phí", "amount_vnd": 15000, "note": None}]
    [down] = [f for f in sync_hub.export(hub, "00919", tmp_path / "down").files if f.suffix == ".cdb"]

    assert commune_sync.import_file(commune, down, dry_run=True).dry_run
    assert entries(db, "sync.import") == []
    assert commune_sync.import_file(commune, down).status == "applied"
    [imported] = entries(db, "sync.import")
    assert imported.actor == "admin" and imported.details["status"] == "applied"
    assert imported.details["source"] == str(tmp_path / "down") and imported.details["records"] >= 1
    assert imported.target.endswith(down.name)
    assert commune_sync.import_file(commune, down).status == "duplicate"
    assert len(entries(db, "sync.import")) == 1
    with db.read() as s:
        assert audit.verify_chain(s).ok
