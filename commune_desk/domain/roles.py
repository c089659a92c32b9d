"""Roles and what each may do. The services check these; the window only hides what a
role cannot use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"          # cán bộ tiếp nhận (one-stop desk)
    LEADER = "leader"        # lãnh đạo (signs, reviews the audit trail)
    TRAINER = "trainer"      # giảng viên / người phụ trách bồi dưỡng
    ADMIN = "admin"          # quản trị
    HUB = "hub"              # cán bộ cấp trên (hub staff)


class Perm(StrEnum):
    DESK = "desk"                    # receive dossiers, print receipts
    DOSSIERS = "dossiers"            # browse and move dossiers through their life
    VIEW_FULL_ID = "view_full_id"    # reveal an unmasked ID number (audited)
    TRAINING = "training"
    SYNC = "sync"
    HUB = "hub"                      # import bundles, enrol communes
    REPORTS = "reports"
    CATALOG_EDIT = "catalog_edit"
    CALENDAR_EDIT = "calendar_edit"
    SETTINGS = "settings"
    USERS = "users"
    AUDIT = "audit"
    ANONYMISE = "anonymise"
    BACKUP = "backup"


PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.CLERK: frozenset({Perm.DESK, Perm.DOSSIERS, Perm.VIEW_FULL_ID, Perm.SYNC, Perm.REPORTS}),
    Role.LEADER: frozenset({Perm.DESK, Perm.DOSSIERS, Perm.VIEW_FULL_ID, Perm.SYNC, Perm.REPORTS,
                            Perm.CATALOG_EDIT, Perm.CALENDAR_EDIT, Perm.AUDIT, Perm.ANONYMISE,
                            Perm.TRAINING, Perm.BACKUP}),
    Role.TRAINER: frozenset({Perm.TRAINING}),
    Role.ADMIN: frozenset(Perm),
    Role.HUB: frozenset({Perm.HUB, Perm.REPORTS, Perm.SYNC, Perm.TRAINING, Perm.DOSSIERS,
                         Perm.CATALOG_EDIT, Perm.CALENDAR_EDIT}),
}


def allowed(role: Role | str, perm: Perm) -> bool:
    return perm in PERMISSIONS.get(Role(role), frozenset())
