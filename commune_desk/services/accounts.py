"""Accounts: Argon2 password hashes, lockout after repeated failures, roles."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commune_desk.domain.roles import Perm, Role
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.services import audit
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store.base import utcnow
from commune_desk.store.models import User

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    username: str
    full_name: str
    role: str
    active: bool
    locked: bool
    last_login_at: datetime | None = None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(_("Mật khẩu phải có ít nhất {n} ký tự.").format(n=MIN_PASSWORD),
                              field="password")


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise ValidationError(_("Tên đăng nhập chỉ gồm chữ, số và . _ - (tối đa 64 ký tự)."),
                              field="username")
    return username


def add_user(session: Session, *, username: str, full_name: str, role: Role | str, password: str) -> User:
    """Create an account inside an open write session (used by setup and by admins)."""
    username = _check_username(username)
    role = Role(role)
    _check_password(password)
    if not (full_name or "").strip():
        raise ValidationError(_("Hãy nhập họ và tên."), field="full_name")
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise ValidationError(_("Tên đăng nhập {name} đã có.").format(name=username), field="username")
    user = User(username=username, full_name=full_name.strip(), role=role.value,
                password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def create_user(ctx: Ctx, *, username: str, full_name: str, role: Role | str, password: str) -> UserRow:
    ctx.require(Perm.USERS)
    with ctx.db.write() as s:
        user = add_user(s, username=username, full_name=full_name, role=role, password=password)
        audit.record(s, ctx.actor, "user.create", user.username, {"role": user.role})
        return _row(user)


def list_users(ctx: Ctx) -> list[UserRow]:
    ctx.require(Perm.USERS)
    with ctx.db.read() as s:
        return [_row(u) for u in s.scalars(select(User).order_by(User.username))]


def _row(u: User) -> UserRow:
    locked = bool(u.locked_until and u.locked_until > utcnow())
    return UserRow(u.id, u.username, u.full_name, u.role, u.active, locked, u.last_login_at)


def authenticate(db: Database, username: str, password: str) -> Actor:
    """Check a password. Too many failures in a row lock the account for a while."""
    max_failed = int(db.setting("accounts.max_failed_logins"))
    lock_minutes = int(db.setting("accounts.lock_minutes"))
    wrong = _("Sai tên đăng nhập hoặc mật khẩu.")
    attempted = (username or "").strip()[:64]
    failed: KnownError | None = None
    actor: Actor | None = None
    with db.write() as s:  # the audit entry of a failure commits too
        user = s.scalar(select(User).where(func.lower(User.username) == attempted.lower()))
        now = utcnow()
        if user is None:
            # never the typed name itself: it is sometimes the password typed in the wrong box
            audit.record(s, "?", "login.failed", None, {"reason": "unknown_user", "attempt": _fingerprint(attempted)})
            failed = KnownError(wrong)
        elif not user.active:
            audit.record(s, user.username, "login.failed", user.username, {"reason": "inactive"})
            failed = KnownError(wrong)
        elif user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            audit.record(s, user.username, "login.failed", user.username, {"reason": "locked"})
            failed = KnownError(_("Tài khoản đang bị khóa do nhập sai mật khẩu nhiều lần. "
                                  "Thử lại sau {n} phút.").format(n=minutes))
        else:
            failed, actor = _verify_login(s, user, password, now, max_failed, lock_minutes, wrong)
    if failed is not None or actor is None:
        raise failed or KnownError(wrong)
    return actor


def _fingerprint(text: str) -> str:
    """Tells repeated attempts with one unknown name apart without keeping the name."""
    return hashlib.sha256(text.lower().encode("utf-8")).hexdigest()[:12]


def _verify_login(s: Session, user: User, password: str, now: datetime, max_failed: int, lock_minutes: int,
                  wrong: str) -> tuple[KnownError | None, Actor | None]:
    """Check the password of an existing, unlocked account; count and audit a failure."""
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failed:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            audit.record(s, user.username, "login.locked", user.username,
                         {"reason": "wrong_password", "minutes": lock_minutes})
            return KnownError(_("Nhập sai mật khẩu {n} lần liên tiếp: tài khoản bị khóa {m} phút.")
                              .format(n=max_failed, m=lock_minutes)), None
        audit.record(s, user.username, "login.failed", user.username,
                     {"reason": "wrong_password", "failed": user.failed_logins})
        return KnownError(wrong), None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(s, user.username, "login.ok", user.username, {"role": user.role})
    return None, Actor(user.id, user.username, user.full_name, Role(user.role))


def set_password(ctx: Ctx, user_id: uuid.UUID, password: str) -> None:
    if ctx.actor.id != user_id:
        ctx.require(Perm.USERS)
    _check_password(password)
    with ctx.db.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("Không tìm thấy tài khoản."))
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        audit.record(s, ctx.actor, "user.password", user.username)


def _active_admins(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User)
                    .where(User.role == Role.ADMIN.value, User.active.is_(True))) or 0


def update_user(ctx: Ctx, user_id: uuid.UUID, *, role: Role | str | None = None,
                active: bool | None = None, full_name: str | None = None) -> UserRow:
    """Change a role, (de)activate or rename. The last administrator cannot be removed."""
    ctx.require(Perm.USERS)
    with ctx.db.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("Không tìm thấy tài khoản."))
        before = {"role": user.role, "active": user.active, "full_name": user.full_name}
        losing_admin = user.role == Role.ADMIN.value and user.active and (
            (role is not None and Role(role) != Role.ADMIN) or active is False)
        if losing_admin and _active_admins(s) <= 1:
            raise ValidationError(_("Không thể bỏ quyền hoặc khóa quản trị viên cuối cùng."), field="role")
        if role is not None:
            user.role = Role(role).value
        if active is not None:
            user.active = active
        if full_name is not None and full_name.strip():
            user.full_name = full_name.strip()
        after = {"role": user.role, "active": user.active, "full_name": user.full_name}
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changed:
            audit.record(s, ctx.actor, "user.role" if "role" in changed else "user.update", user.username, changed)
        s.flush()
        return _row(user)


def unlock_user(ctx: Ctx, user_id: uuid.UUID) -> None:
    ctx.require(Perm.USERS)
    with ctx.db.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(_("Không tìm thấy tài khoản."))
        user.locked_until = None
        user.failed_logins = 0
        audit.record(s, ctx.actor, "user.unlock", user.username)
