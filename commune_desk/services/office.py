"""First-run setup of an installation: its role, identity, first administrator and the
shipped catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from commune_desk import settings as settings_registry
from commune_desk.domain import units
from commune_desk.domain.roles import Perm, Role
from commune_desk.domain.text import normalize
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.services import accounts, calendar, catalog
from commune_desk.services.context import Ctx, Database, OfficeInfo
from commune_desk.store.models import Office

UNIT_ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")


@dataclass
class SetupRequest:
    role: str
    office_code: str
    office_name: str
    hub_name: str | None = None
    unit_id: str | None = None
    reception_point: int = 0
    admin_username: str | None = None
    admin_full_name: str | None = None
    admin_password: str | None = None


def validate(req: SetupRequest) -> list[tuple[str, str]]:
    """Every problem with the request, as (field, message)."""
    errors: list[tuple[str, str]] = []
    if req.role not in ("commune", "hub"):
        errors.append(("role", _("Vai trò phải là 'commune' (xã) hoặc 'hub' (cấp trên).")))
        return errors
    problem = units.office_code_problem(req.role, req.office_code)
    if problem == "commune_code":
        errors.append(("office_code", _("Mã xã phải gồm đúng 5 chữ số (theo danh mục đơn vị hành chính 2025), "
                                        "ví dụ 00919.")))
    elif problem == "hub_code":
        errors.append(("office_code", _("Mã cấp trên phải là mã tỉnh 2 chữ số (hoặc mã huyện 3 chữ số).")))
    if not normalize(req.office_name):
        errors.append(("office_name", _("Hãy nhập tên đơn vị.")))
    unit_id = (req.unit_id or "").strip().upper()
    if unit_id and (len(unit_id) > 40 or not set(unit_id) <= UNIT_ID_CHARS):
        errors.append(("unit_id", _("Mã định danh đơn vị chỉ gồm chữ in, số và dấu chấm (ví dụ 000.00.19.H56).")))
    if not 0 <= int(req.reception_point) <= 9:
        errors.append(("reception_point", _("Số hiệu điểm tiếp nhận từ 0 đến 9.")))
    if req.admin_username is not None and len(req.admin_password or "") < accounts.MIN_PASSWORD:
        errors.append(("password", _("Mật khẩu phải có ít nhất {n} ký tự.").format(n=accounts.MIN_PASSWORD)))
    return errors


def setup_office(db: Database, req: SetupRequest) -> OfficeInfo:
    """Create the office row, its first administrator and the shipped catalog, in one transaction."""
    errors = validate(req)
    if errors:
        raise ValidationError(errors[0][1], field=errors[0][0], errors=errors)
    if db.office is not None:
        raise KnownError(_("Văn phòng đã được thiết lập ({code} {name}).")
                         .format(code=db.office.office_code, name=db.office.office_name))
    code = req.office_code.strip()
    if req.role == "commune":
        unit = units.find_commune(code)
        province_code = unit.province_code if unit else None
        province_name = unit.province_name if unit else None
    else:
        province = units.find_province(code[:2].zfill(2)) if len(code) == 2 else None
        province_code = code[:2] if len(code) == 2 else None
        province_name = province.name if province else None
    unit_id = (req.unit_id or "").strip().upper() or code
    with db.write() as s:
        if s.scalar(select(Office)) is not None:
            raise KnownError(_("Văn phòng đã được thiết lập."))
        office = Office(id=1, role=req.role, office_code=code, office_name=normalize(req.office_name),
                        province_code=province_code, province_name=province_name, unit_id=unit_id,
                        reception_point=int(req.reception_point),
                        hub_name=normalize(req.hub_name) or None)
        s.add(office)
        s.flush()
        s.info["office_code"] = code
        # the setup's audit entry names the administrator created here (nobody is logged in yet)
        s.info["audit_actor"] = (req.admin_username or "").strip() or "system"
        from commune_desk.sync.keys import create_identity  # this installation's sync keys

        office.public_key = create_identity(s, office.installation_id).sign_public
        if req.admin_username:
            accounts.add_user(s, username=req.admin_username,
                              full_name=req.admin_full_name or req.admin_username,
                              role=Role.ADMIN, password=req.admin_password or "")
        catalog.seed_shipped_catalog(s)
        calendar.seed_shipped_calendar(s)
    db.forget_office()
    return db.require_office()


# -- the office's settings (the "Đơn vị" tab) -------------------------------------------
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
CHOICES: dict[str, tuple[str, ...]] = {"print.paper": ("A5", "A4"), "rules.default_set": ("2025", "2018")}
MINIMUM: dict[str, int] = {"print.copies": 1, "print.book_volume": 1, "accounts.max_failed_logins": 1,
                           "accounts.lock_minutes": 1, "lifecycle.max_supplements": 1}
TEXT_MAX = 300


def settings_values(ctx: Ctx) -> dict[str, Any]:
    """Every declared setting with its current value."""
    with ctx.db.read() as s:
        return {key: ctx.db.setting(key, s) for key in settings_registry.SETTINGS}


def check_setting(key: str, value: Any) -> tuple[Any, str | None]:
    """(the value as stored, None) or (value, translated problem) for one declared setting."""
    default = settings_registry.SETTINGS[key].default
    if isinstance(default, dict | list):
        return value, _("không sửa được ở đây")
    if isinstance(default, bool):
        return (value, None) if isinstance(value, bool) else (value, _("phải là có hoặc không"))
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            return value, _("phải là số nguyên")
        low = MINIMUM.get(key, 0)
        return (value, None) if value >= low else (value, _("không được nhỏ hơn {n}").format(n=low))
    text = str(value if value is not None else "").strip()
    if key in CHOICES:
        ok = text in CHOICES[key]
        return text, None if ok else _("phải là một trong: {values}").format(values=", ".join(CHOICES[key]))
    if isinstance(default, str) and _TIME.match(default):
        return (text, None) if _TIME.match(text) else (text, _("giờ phải có dạng HH:MM, ví dụ 15:00"))
    if isinstance(default, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", default):
        try:
            date.fromisoformat(text)
        except ValueError:
            return text, _("ngày phải có dạng YYYY-MM-DD")
        return text, None
    if len(text) > TEXT_MAX:
        return text, _("dài quá {n} ký tự").format(n=TEXT_MAX)
    return text, None


def _check_settings(values: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    cleaned: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, value in values.items():
        if key not in settings_registry.SETTINGS:
            problems.append((key, _("Không có thiết lập {key}.").format(key=key)))
            continue
        stored, problem = check_setting(key, value)
        if problem:
            problems.append((key, f"{_(settings_registry.SETTINGS[key].label)}: {problem}"))
        cleaned[key] = stored
    return cleaned, problems


def _check_office(office: OfficeInfo, changes: dict[str, Any]) -> list[tuple[str, str]]:
    req = SetupRequest(role=office.role, office_code=office.office_code, office_name=changes["office_name"],
                       hub_name=changes.get("hub_name"), unit_id=changes["unit_id"],
                       reception_point=changes["reception_point"])
    errors = [e for e in validate(req) if e[0] != "office_code"]
    if not (changes["unit_id"] or "").strip():
        errors.append(("unit_id", _("Hãy nhập mã định danh đơn vị.")))
    return errors


def save_settings(ctx: Ctx, values: dict[str, Any], *, office: dict[str, Any] | None = None) -> OfficeInfo:
    """Check then store settings (and, with ``office``, the office's name, dossier-code
    identifier, upper level and reception point) in one transaction; nothing is stored if
    any value is wrong."""
    ctx.require(Perm.SETTINGS)
    current = ctx.db.require_office()
    cleaned, problems = _check_settings(values)
    if office is not None:
        problems = _check_office(current, office) + problems
    if problems:
        raise ValidationError(problems[0][1], field=problems[0][0], errors=problems)
    with ctx.db.write() as s:
        for key, value in cleaned.items():
            ctx.db.set_setting(s, key, value)
        if office is not None:
            row = s.scalar(select(Office))
            row.office_name = normalize(office["office_name"])
            row.unit_id = office["unit_id"].strip().upper()
            row.hub_name = normalize(office.get("hub_name")) or None
            row.reception_point = int(office["reception_point"])
    ctx.db.forget_office()
    return ctx.db.require_office()
