"""Sub-commands of the desk area: ``find`` (search dossiers) and ``demo`` (demo data)."""

from __future__ import annotations

import argparse
import sys

from commune_desk.cli import add_common, emit, open_db
from commune_desk.errors import ValidationError
from commune_desk.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("find", help=_("tìm hồ sơ theo tên, mã hồ sơ, số định danh hoặc số điện thoại"))
    p.add_argument("text", metavar=_("NỘI_DUNG"), help=_("không phân biệt hoa thường, có dấu hay không dấu"))
    p.add_argument("--limit", type=int, default=50, help=_("số kết quả tối đa (mặc định 50)"))
    add_common(p)
    p.set_defaults(handler=run_find)

    p = sub.add_parser("demo", help=_("tạo dữ liệu mẫu trong thư mục dữ liệu"))
    p.add_argument("--dossiers", type=int, default=2000, help=_("số hồ sơ mẫu (mặc định 2000)"))
    p.add_argument("--staff", type=int, default=4, help=_("số tài khoản cán bộ mẫu (mặc định 4)"))
    p.add_argument("--seed", type=int, default=None, help=_("hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)"))
    add_common(p)
    p.set_defaults(handler=run_demo)


def run_find(args: argparse.Namespace) -> int:
    from commune_desk.domain.calendar import to_local
    from commune_desk.services import dossier_query
    from commune_desk.services.dossier_query import MAX_LIMIT

    if not 1 <= args.limit <= MAX_LIMIT:
        raise ValidationError(_("--limit phải từ 1 đến {n}.").format(n=MAX_LIMIT), field="limit")
    ctx = open_db(args)
    try:
        rows = dossier_query.search(ctx, args.text, limit=args.limit)
    finally:
        ctx.db.close()
    lines = []
    for r in rows:
        due = to_local(r.due_at).strftime("%d/%m/%Y %H:%M") if r.due_at else "—"
        mark = "  " + _("QUÁ HẠN") if r.overdue else ""
        lines.append(f"{r.code}  {r.applicant_name}  {r.id_number_masked or '—'}  {r.procedure_name}\n"
                     f"    {r.status_label} · {_('nhận')} {to_local(r.received_at).strftime('%d/%m/%Y')}"
                     f" · {_('hẹn trả')} {due}{mark}")
    text = "\n".join(lines) if lines else _("Không tìm thấy hồ sơ nào.")
    emit(args, [r.as_dict() for r in rows], text)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from commune_desk.services import demo

    demo.check_request(args.dossiers, args.staff)
    ctx = open_db(args, need_office=False)
    try:
        created_office = demo.ensure_demo_office(ctx.db)

        def progress(done: int, total: int) -> None:
            if not args.json and sys.stderr.isatty():
                print(f"\r{done:>9,}/{total:,}", end="", file=sys.stderr, flush=True)

        summary = demo.fill_demo(ctx, dossiers=args.dossiers, staff=args.staff, seed=args.seed, progress=progress)
        office = ctx.db.require_office()
    finally:
        ctx.db.close()
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    lines = []
    if created_office:
        lines.append(_("Đã thiết lập văn phòng mẫu {name} ({code}); đăng nhập: admin / {password}.").format(
            name=office.office_name, code=office.office_code, password=demo.DEMO_PASSWORD))
    if summary.staff_created:
        lines.append(_("Đã tạo {n} tài khoản cán bộ mẫu (canbo1…; mật khẩu {password}).").format(
            n=summary.staff_created, password=demo.DEMO_PASSWORD))
    lines.append(_("Đã tạo {dossiers} hồ sơ mẫu, {events} bước xử lý, {changes} bản ghi nhật ký thay đổi "
                   "trong {seconds:.1f} giây ({rate:,.0f} dòng/giây); {overdue} hồ sơ đang quá hạn.").format(
        dossiers=summary.dossiers, events=summary.events, changes=summary.change_rows, seconds=summary.seconds,
        rate=summary.rows_per_second, overdue=summary.overdue))
    emit(args, {"office_code": office.office_code, "office_created": created_office,
                "dossiers": summary.dossiers, "events": summary.events, "change_rows": summary.change_rows,
                "staff_created": summary.staff_created, "seconds": round(summary.seconds, 2),
                "rows_per_second": round(summary.rows_per_second), "statuses": summary.statuses,
                "overdue": summary.overdue}, "\n".join(lines))
    return 0
