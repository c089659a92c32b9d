"""The audit trail: what is recorded, that it is append-only, and that a deleted, edited or
reordered entry is found by the chain check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3

import pytest
from conftest import ADMIN_PASSWORD, actor
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError, PermissionDenied, ValidationError
from commune_desk.services import accounts, audit, intake
from commune_desk.services.context import Ctx
from commune_desk.store.models import AuditEntry, User

ID_NUMBER = "001092001234"


def receive(ctx: Ctx, name: str = "Nguyễn Văn An", id_number: str = ID_NUMBER):
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    form = intake.IntakeForm(procedure_code=proc.code, name=name, id_number=id_number, dob=dt.date(1992, 5, 1),
                             phone="0912345678", address="Thôn Đồng Xe, xã Minh Tân",
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    return intake.receive_dossier(ctx, form)


def entries(db) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def leader_ctx(db) -> Ctx:
    return Ctx(db, actor(Role.LEADER, "lanhdao"))


def raw(db) -> sqlite3.Connection:
    """The database as someone with a database tool sees it (triggers dropped)."""
    conn = sqlite3.connect(db.engine.url.database, isolation_level=None)
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.execute("DROP TRIGGER audit_entry_no_delete")
    return conn


def test_logins_role_changes_and_lockout_are_recorded(db, admin_ctx):
    accounts.authenticate(db, "admin", ADMIN_PASSWORD)
    with pytest.raises(KnownError):
        accounts.authenticate(db, "admin", "sai-mat-khau")
    with pytest.raises(KnownError):
        accounts.authenticate(db, "khong-co-ai", "x")
    clerk = accounts.create_user(admin_ctx, username="canbo", full_name="Lê Thị Cán", role=Role.CLERK,
                                 password="matkhau-456")
    accounts.update_user(admin_ctx, clerk.id, role=Role.LEADER)
    # five wrong passwords lock the account; the sixth try is refused even with the right one
    for _ in range(5):
        with pytest.raises(KnownError):
            accounts.authenticate(db, "canbo", "sai-mat-khau")
    with pytest.raises(KnownError, match="bị khóa"):
        accounts.authenticate(db, "canbo", "matkhau-456")
    got = [(e.actor, e.action, e.target) for e in entries(db) if e.action != "data.change"]
    assert got[:5] == [("admin", "login.ok", "admin"), ("admin", "login.failed", "admin"),
                       ("?", "login.failed", None), ("admin", "user.create", "canbo"),
                       ("admin", "user.role", "canbo")]
    assert got[5:] == [("canbo", "login.failed", "canbo")] * 4 + [("canbo", "login.locked", "canbo"),
                                                                   ("canbo", "login.failed", "canbo")]
    role_change = next(e for e in entries(db) if e.action == "user.role")
    assert role_change.details == {"role": ["clerk", "leader"]}
    # no password, hash or attempt text in any entry
    text = json.dumps([e.details for e in entries(db)], ensure_ascii=False) + str([e.target for e in entries(db)])
    assert "sai-mat-khau" not in text and "argon2" not in text
    assert "khong-co-ai" not in text  # an unknown name may be a password typed in the wrong box
    with db.read() as s:
        assert audit.verify_chain(s).ok


def test_the_last_administrator_can_be_neither_demoted_nor_deactivated(db, admin_ctx):
    with db.read() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    with pytest.raises(ValidationError, match="quản trị viên cuối cùng"):
        accounts.update_user(admin_ctx, admin_id, role=Role.CLERK)
    with pytest.raises(ValidationError, match="quản trị viên cuối cùng"):
        accounts.update_user(admin_ctx, admin_id, active=False)
    # with a second administrator the first may step down
    second = accounts.create_user(admin_ctx, username="qt2", full_name="Quản Trị Hai", role=Role.ADMIN,
                                  password="matkhau-789")
    accounts.update_user(admin_ctx, admin_id, role=Role.LEADER)
    with pytest.raises(ValidationError):
        accounts.update_user(admin_ctx, second.id, active=False)
    with db.read() as s:
        assert s.get(User, admin_id).role == "leader"


def test_a_saved_dossier_is_audited_without_its_personal_data(db, clerk_ctx):
    saved = receive(clerk_ctx)
    entry = entries(db)[-1]
    assert (entry.actor, entry.action) == ("canbo", "data.change")
    assert saved.code in entry.target
    kinds = {(c[0], c[3]) for c in entry.details["changes"]}
    assert kinds == {("dossier", "insert"), ("dossier_event", "insert")}
    assert [str(saved.id), 1] in [c[1:3] for c in entry.details["changes"]]
    blob = json.dumps([e.details for e in entries(db)], ensure_ascii=False) + str([e.target for e in entries(db)])
    assert ID_NUMBER not in blob and "Nguyễn Văn An" not in blob and "0912345678" not in blob


def test_an_entry_commits_or_vanishes_with_its_transaction(db, admin_ctx):
    before = len(entries(db))
    with pytest.raises(RuntimeError), db.write() as s:
        audit.record(s, admin_ctx.actor, "export", "x.xlsx")
        raise RuntimeError("the action failed")
    assert len(entries(db)) == before
    with db.write() as s:
        audit.record(s, admin_ctx.actor, "export", "a.xlsx")
        audit.record(s, admin_ctx.actor, "export", "b.xlsx")  # two in one transaction chain in order
    last = entries(db)[-2:]
    assert [e.target for e in last] == ["a.xlsx", "b.xlsx"]
    assert last[1].prev_hash == last[0].hash and last[1].seq == last[0].seq + 1
    with db.read() as s:
        assert audit.verify_chain(s).ok


def test_the_application_cannot_edit_or_delete_an_entry(db):
    accounts.authenticate(db, "admin", ADMIN_PASSWORD)
    with pytest.raises(IntegrityError), db.write() as s:
        s.scalars(select(AuditEntry)).first().action = "login.failed"
    with pytest.raises(IntegrityError), db.write() as s:
        s.delete(s.scalars(select(AuditEntry)).first())


@pytest.fixture
def chain(db, clerk_ctx, admin_ctx):
    """Six entries: logins, two dossiers, an export."""
    accounts.authenticate(db, "admin", ADMIN_PASSWORD)
    receive(clerk_ctx)
    receive(clerk_ctx, "Trần Thị Bình", "001192001235")
    with db.write() as s:
        audit.record(s, admin_ctx.actor, "export", "bao-cao.xlsx", {"rows": 2})
    with pytest.raises(KnownError):
        accounts.authenticate(db, "admin", "sai")
    rows = entries(db)
    assert len(rows) >= 6
    with db.read() as s:
        assert audit.verify_chain(s).ok
    return rows


def problems(db) -> set[tuple[int, str]]:
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok
    assert report.summary().startswith("Nhật ký kiểm tra có dấu hiệu bị can thiệp")
    return {(p.seq, p.kind) for p in report.problems}


@pytest.mark.usefixtures("chain")
def test_a_deleted_entry_is_detected(db):
    raw(db).execute("DELETE FROM audit_entry WHERE seq = 3")
    assert (3, "missing") in problems(db)


def test_a_deleted_last_entry_is_detected_through_the_change_log(db, chain):
    raw(db).execute("DELETE FROM audit_entry WHERE seq = ?", (chain[-1].seq,))
    assert {kind for _seq, kind in problems(db)} == {"missing"}


def test_an_edited_entry_is_detected(db, chain):
    export = next(e for e in chain if e.action == "export")
    raw(db).execute("UPDATE audit_entry SET details = ? WHERE seq = ?", ('{"rows":200}', export.seq))
    assert problems(db) == {(export.seq, "edited")}


def test_an_edited_actor_is_detected(db, chain):
    saved = next(e for e in chain if e.actor == "canbo")
    raw(db).execute("UPDATE audit_entry SET actor = 'admin' WHERE seq = ?", (saved.seq,))
    assert problems(db) == {(saved.seq, "edited")}


@pytest.mark.usefixtures("chain")
def test_reordered_entries_are_detected(db):
    conn = raw(db)
    # swap the positions of entries 2 and 3
    conn.execute("UPDATE audit_entry SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE audit_entry SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE audit_entry SET seq = 3 WHERE seq = -1")
    found = problems(db)
    assert (2, "edited") in found and (3, "edited") in found


@pytest.mark.usefixtures("chain")
def test_reordering_with_recomputed_hashes_is_still_detected(db):
    """An attacker who knows the algorithm swaps two entries and re-hashes them: the next
    entry no longer links, and the change log still holds the original order."""
    with db.read() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    a, b = rows[1], rows[2]
    a.seq, b.seq = 3, 2
    b.prev_hash = rows[0].hash
    b.hash = audit.entry_hash(b)
    a.prev_hash = b.hash
    a.hash = audit.entry_hash(a)
    conn = raw(db)
    for e in (a, b):
        conn.execute("UPDATE audit_entry SET seq = -seq WHERE id = ?", (e.id.hex,))
    for e in (a, b):
        conn.execute("UPDATE audit_entry SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     (e.seq, e.prev_hash, e.hash, e.id.hex))
    found = problems(db)
    assert (4, "order") in found
    assert any(kind == "order" and seq in (2, 3) for seq, kind in found)


def test_browse_filters_for_a_leader_and_refuses_a_clerk(db, chain, clerk_ctx):
    leader = leader_ctx(db)
    everything = audit.browse(leader)
    assert [r.seq for r in everything] == sorted((e.seq for e in chain), reverse=True)
    logins = audit.browse(leader, audit.AuditFilter(action="login."))
    assert {r.action for r in logins} == {"login.ok", "login.failed"}
    assert all(r.action_label for r in logins)
    by_clerk = audit.browse(leader, audit.AuditFilter(actor="canbo"))
    assert len(by_clerk) == 2 and all(r.action == "data.change" for r in by_clerk)
    assert "dossier" in by_clerk[0].details
    assert [r.target for r in audit.browse(leader, audit.AuditFilter(text="BÁO-CAO"))] == ["bao-cao.xlsx"]
    today = dt.datetime.now(audit.LOCAL_TZ).date()
    assert len(audit.browse(leader, audit.AuditFilter(date_from=today, date_to=today))) == len(chain)
    assert audit.browse(leader, audit.AuditFilter(date_to=today - dt.timedelta(days=1))) == []
    page1 = audit.browse(leader, limit=3)
    page2 = audit.browse(leader, limit=3, after=(page1[-1].at, page1[-1].seq))
    assert [r.seq for r in page1 + page2] == [r.seq for r in everything][:len(page1) + len(page2)]
    assert "canbo" in audit.actors(leader)
    with pytest.raises(PermissionDenied):
        audit.browse(clerk_ctx)
    with pytest.raises(PermissionDenied):
        audit.verify(clerk_ctx)
