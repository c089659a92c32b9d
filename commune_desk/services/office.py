"""First-run setup of an installation: its role, identity, first administrator and the
shipped catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from commune_desk.domain import units
from commune_desk.domain.roles import Role
from commune_desk.domain.text import normalize
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.services import accounts, catalog
from commune_desk.services.context import Database, OfficeInfo
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
        if req.admin_username:
            accounts.add_user(s, username=req.admin_username,
                              full_name=req.admin_full_name or req.admin_username,
                              role=Role.ADMIN, password=req.admin_password or "")
        catalog.seed_shipped_catalog(s)
    db.forget_office()
    return db.require_office()
