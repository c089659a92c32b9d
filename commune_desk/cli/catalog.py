"""``catalog import/export FILE`` and ``calendar import/export FILE`` (CSV or XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path

from commune_desk.cli import add_common, emit, open_db
from commune_desk.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    catalog = sub.add_parser("catalog", help=_("danh mục thủ tục: nhập, xuất tệp CSV hoặc XLSX"))
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar=_("LỆNH"), required=True)
    p = catalog_sub.add_parser("import", help=_("nhập (thêm, cập nhật) thủ tục từ tệp; có dòng lỗi thì không nhập gì"))
    p.add_argument("file", type=Path, metavar=_("TỆP"))
    add_common(p)
    p.set_defaults(handler=run_catalog_import)
    p = catalog_sub.add_parser("export", help=_("xuất toàn bộ danh mục thủ tục ra tệp"))
    p.add_argument("file", type=Path, metavar=_("TỆP"))
    add_common(p)
    p.set_defaults(handler=run_catalog_export)

    calendar = sub.add_parser("calendar", help=_("lịch làm việc: ngày nghỉ, ngày làm bù (CSV hoặc XLSX)"))
    calendar_sub = calendar.add_subparsers(dest="calendar_command", metavar=_("LỆNH"), required=True)
    p = calendar_sub.add_parser("import", help=_("nhập bảng ngày nghỉ, ngày làm bù; có dòng lỗi thì không nhập gì"))
    p.add_argument("file", type=Path, metavar=_("TỆP"))
    add_common(p)
    p.set_defaults(handler=run_calendar_import)
    p = calendar_sub.add_parser("export", help=_("xuất bảng ngày nghỉ, ngày làm bù của đơn vị"))
    p.add_argument("file", type=Path, metavar=_("TỆP"))
    p.add_argument("--year", type=int, default=None, help=_("chỉ xuất một năm"))
    add_common(p)
    p.set_defaults(handler=run_calendar_export)


def _summary(args: argparse.Namespace, summary, what: str) -> None:
    emit(args, {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged},
         _("Đã nhập {file}: {created} {what} mới, {updated} cập nhật, {unchanged} không đổi.").format(
             file=args.file, created=summary.created, updated=summary.updated,
             unchanged=summary.unchanged, what=what))


def run_catalog_import(args: argparse.Namespace) -> int:
    from commune_desk.services import catalog

    ctx = open_db(args)
    try:
        _summary(args, catalog.import_file(ctx, args.file), _("thủ tục"))
    finally:
        ctx.db.close()
    return 0


def run_catalog_export(args: argparse.Namespace) -> int:
    from commune_desk.services import catalog

    ctx = open_db(args)
    try:
        n = catalog.export_file(ctx, args.file)
    finally:
        ctx.db.close()
    emit(args, {"file": str(args.file), "procedures": n},
         _("Đã xuất {n} thủ tục ra {file}.").format(n=n, file=args.file))
    return 0


def run_calendar_import(args: argparse.Namespace) -> int:
    from commune_desk.services import calendar

    ctx = open_db(args)
    try:
        _summary(args, calendar.import_file(ctx, args.file), _("ngày"))
    finally:
        ctx.db.close()
    return 0


def run_calendar_export(args: argparse.Namespace) -> int:
    from commune_desk.services import calendar

    ctx = open_db(args)
    try:
        n = calendar.export_file(ctx, args.file, args.year)
    finally:
        ctx.db.close()
    emit(args, {"file": str(args.file), "days": n}, _("Đã xuất {n} ngày ra {file}.").format(n=n, file=args.file))
    return 0
