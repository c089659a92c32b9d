"""Roles are checked in the services, not only by hiding buttons: a trainer (or a hub
user, or a clerk for leaders' work) calling another role's service is refused and
nothing is written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from conftest import actor
from sqlalchemy import func, select

from commune_desk.domain.roles import Role
from commune_desk.errors import PermissionDenied
from commune_desk.services import (
    accounts,
    audit,
    backups,
    documents,
    dossier_query,
    intake,
    lifecycle,
    privacy,
    ratings,
)
from commune_desk.services.context import Ctx
from commune_desk.store.models import AuditEntry, ChangeLog, Dossier, IntakeDraft, User


def receive(ctx: Ctx):
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    form = intake.IntakeForm(procedure_code=proc.code, name="Nguyễn Văn An", id_number="001092001234",
                             dob=dt.date(1992, 5, 1), phone="0912345678", address="Thôn 1, xã Minh Tân",
                             documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)])
    return form, intake.receive_dossier(ctx, form)


def footprint(db) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Dossier, ChangeLog, AuditEntry,
                                                                             IntakeDraft, User))


DESK_CALLS: dict[str, Callable] = {
    "intake.receive_dossier": lambda ctx, form, saved, tmp: intake.receive_dossier(ctx, form),
    "intake.save_draft": lambda ctx, form, saved, tmp: intake.save_draft(ctx, {"name": "An"}),
    "intake.load_procedures": lambda ctx, form, saved, tmp: intake.load_procedures(ctx),
    "intake.find_returning_citizen": lambda ctx, form, saved, tmp: intake.find_returning_citizen(ctx, "001092001234"),
    "lifecycle.assign": lambda ctx, form, saved, tmp: lifecycle.assign(ctx, saved.id, to_name="Trần Văn Xử"),
    "lifecycle.history": lambda ctx, form, saved, tmp: lifecycle.history(ctx, saved.id),
    "dossier_query.search": lambda ctx, form, saved, tmp: dossier_query.search(ctx, "Nguyễn"),
    "dossier_query.details": lambda ctx, form, saved, tmp: dossier_query.details(ctx, saved.id),
    "documents.print_form": lambda ctx, form, saved, tmp: documents.print_form(ctx, "receipt", [saved.code],
                                                                                tmp / "phieu.pdf"),
    "ratings.record_rating": lambda ctx, form, saved, tmp: ratings.record_rating(ctx, saved.id, scores={}),
    "privacy.reveal_id_number": lambda ctx, form, saved, tmp: privacy.reveal_id_number(ctx, saved.id),
    "privacy.print_citizen_data": lambda ctx, form, saved, tmp: privacy.print_citizen_data(
        ctx, "001092001234", tmp / "du-lieu.pdf"),
}

LEADER_CALLS: dict[str, Callable] = {
    "audit.browse": lambda ctx, tmp: audit.browse(ctx),
    "audit.verify": lambda ctx, tmp: audit.verify(ctx),
    "privacy.anonymise": lambda ctx, tmp: privacy.anonymise(ctx),
    "privacy.past_retention": lambda ctx, tmp: privacy.past_retention(ctx),
    "backups.backup_now": lambda ctx, tmp: backups.backup_now(ctx),
    "backups.status": lambda ctx, tmp: backups.status(ctx),
    "backups.restore": lambda ctx, tmp: backups.restore(ctx, tmp / "x.sqlite3"),
    "backups.set_second_place": lambda ctx, tmp: backups.set_second_place(ctx, str(tmp)),
    "accounts.create_user": lambda ctx, tmp: accounts.create_user(ctx, username="moi", full_name="Người Mới",
                                                                  role=Role.ADMIN, password="matkhau-999"),
    "accounts.list_users": lambda ctx, tmp: accounts.list_users(ctx),
}


@pytest.mark.parametrize("name", sorted(DESK_CALLS))
def test_a_trainer_cannot_use_the_desk_services(db, clerk_ctx, trainer_ctx, tmp_path, name):
    form, saved = receive(clerk_ctx)
    before = footprint(db)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PermissionDenied, match="không có quyền"):
        DESK_CALLS[name](trainer_ctx, form, saved, out)
    assert footprint(db) == before
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("name", ["intake.receive_dossier", "intake.save_draft", "privacy.reveal_id_number"])
def test_a_hub_user_cannot_use_the_desk_either(db, clerk_ctx, tmp_path, name):
    form, saved = receive(clerk_ctx)
    before = footprint(db)
    with pytest.raises(PermissionDenied):
        DESK_CALLS[name](Ctx(db, actor(Role.HUB, "captren")), form, saved, tmp_path)
    assert footprint(db) == before


@pytest.mark.parametrize("name", sorted(LEADER_CALLS))
def test_a_clerk_and_a_trainer_cannot_do_leaders_and_admins_work(db, clerk_ctx, trainer_ctx, tmp_path, name):
    before = footprint(db)
    out = tmp_path / "out"
    out.mkdir()
    for ctx in (clerk_ctx, trainer_ctx):
        with pytest.raises(PermissionDenied):
            LEADER_CALLS[name](ctx, out)
    assert footprint(db) == before
    assert list(out.iterdir()) == []
