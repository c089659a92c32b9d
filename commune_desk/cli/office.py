"""``init``: set up an installation without the window."""

from __future__ import annotations

import argparse
import sys

from commune_desk.cli import add_common, emit
from commune_desk.errors import KnownError
from commune_desk.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help=_("thiết lập văn phòng lần đầu (xã hoặc cấp trên)"))
    p.add_argument("--role", choices=("commune", "hub"), required=True)
    p.add_argument("--office-code", required=True, help=_("mã xã 5 chữ số, hoặc mã tỉnh 2 chữ số"))
    p.add_argument("--office-name", required=True)
    p.add_argument("--hub-name", default=None, help=_("tên cơ quan cấp trên"))
    p.add_argument("--unit-id", default=None, help=_("mã định danh đơn vị đứng đầu mã hồ sơ"))
    p.add_argument("--reception-point", type=int, default=0, help=_("số hiệu điểm tiếp nhận 0–9"))
    p.add_argument("--admin", default=None, help=_("tên đăng nhập của quản trị viên đầu tiên"))
    p.add_argument("--admin-name", default=None, help=_("họ tên quản trị viên"))
    p.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu quản trị từ đầu vào chuẩn"))
    add_common(p)
    p.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace) -> int:
    from commune_desk.services.context import Database
    from commune_desk.services.office import SetupRequest, setup_office

    password = None
    if args.admin:
        if not args.password_stdin:
            raise KnownError(_("Với --admin, hãy đưa mật khẩu qua --password-stdin."))
        password = sys.stdin.readline().rstrip("\r\n")
    req = SetupRequest(role=args.role, office_code=args.office_code, office_name=args.office_name,
                       hub_name=args.hub_name, unit_id=args.unit_id, reception_point=args.reception_point,
                       admin_username=args.admin, admin_full_name=args.admin_name, admin_password=password)
    from commune_desk.services.office import validate

    errors = validate(req)  # before the database is even created: nothing written on bad input
    if errors:
        raise KnownError(errors[0][1])
    db = Database.open(args.data_dir, args.db)
    try:
        office = setup_office(db, req)
    finally:
        db.close()
    emit(args, {"role": office.role, "office_code": office.office_code, "office_name": office.office_name,
                "unit_id": office.unit_id, "installation_id": str(office.installation_id),
                "data_dir": str(db.data_dir)},
         _("Đã thiết lập {name} ({code}) trong {folder}.").format(
             name=office.office_name, code=office.office_code, folder=db.data_dir))
    return 0
