"""The audit chain travels with the bundles: the hub holds each commune's chain, verifies
it, and notices a commune entry edited on either side."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

from sqlalchemy import select

from commune_desk.domain.roles import Role
from commune_desk.services import audit, intake, sync_hub
from commune_desk.services import sync as commune_sync
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import AuditEntry


def receive(ctx: Ctx, k: int) -> None:
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    form = intake.IntakeForm(procedure_code=proc.code, name="Nguyễn Văn An", id_number=f"0010920{k:05d}",
                             dob=dt.date(1992, 5, 1), phone="0912345678", address="Thôn 1, xã Minh Tân",
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    intake.receive_dossier(ctx, form)


def chains(db) -> dict[str, list[int]]:
    with db.read() as s:
        out: dict[str, list[int]] = {}
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            out.setdefault(str(e.installation), []).append(e.seq)
        return out


def test_a_communes_audit_chain_reaches_the_hub_whole(db, hub_db, tmp_path):
    commune = Ctx(db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    hub = Ctx(hub_db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    invite = sync_hub.invite(hub, tmp_path / "hub-invite.json")
    request = commune_sync.enroll(commune, invite.path, tmp_path / "request.json")
    sync_hub.enroll(hub, request.request_path.read_bytes(), fingerprint=request.my_fingerprint)
    clerk = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    for k in range(3):
        receive(clerk, k)
    commune_sync.export(commune, tmp_path / "usb")
    sync_hub.import_paths(hub, [tmp_path / "usb"])

    mine = db.require_office().installation_id
    local = chains(db)[str(mine)]
    at_hub = chains(hub_db).get(str(mine), [])
    assert at_hub and at_hub == list(range(1, len(at_hub) + 1))  # contiguous from the first entry
    assert set(at_hub) <= set(local)
    with hub_db.read() as s:
        report = audit.verify_chain(s)
        assert report.ok, report.problems
        assert report.chains == 2  # the hub's own and the commune's
        assert audit.verify_chain(s, mine).ok

    # more work, a second bundle: the chain at the hub grows and still verifies
    receive(clerk, 9)
    commune_sync.export(commune, tmp_path / "usb2")
    sync_hub.import_paths(hub, [tmp_path / "usb2"])
    assert len(chains(hub_db)[str(mine)]) > len(at_hub)
    with hub_db.read() as s:
        assert audit.verify_chain(s).ok

    # someone edits a commune entry in the hub's database: the hub's check finds it
    conn = sqlite3.connect(hub_db.engine.url.database)
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.execute("UPDATE audit_entry SET target = 'sửa' WHERE installation = ? AND seq = 2", (mine.hex,))
    conn.commit()
    conn.close()
    with hub_db.read() as s:
        problems = audit.verify_chain(s).problems
    assert [(p.installation, p.seq, p.kind) for p in problems] == [(str(mine), 2, "edited")]
