"""Sub-commands of the printing area: ``print KIND DOSSIER_CODE... --out FILE.pdf``.

The kinds are those of ``services.documents.FORMS`` (receipt, and what the lifecycle adds).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from commune_desk.cli import add_common, emit, open_db
from commune_desk.i18n import _
from commune_desk.services.personal_exports import PLAIN_FLAG


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("print", help=_("in biểu mẫu của hồ sơ ra tệp PDF (receipt: giấy tiếp nhận và hẹn trả kết quả)"))
    p.add_argument("kind", metavar=_("LOẠI"), help=_("loại biểu mẫu, ví dụ receipt"))
    p.add_argument("codes", nargs="*", metavar=_("MÃ_HỒ_SƠ"), help=_("mã hồ sơ (một hoặc nhiều)"))
    p.add_argument("--out", type=Path, required=True, help=_("tệp PDF sẽ ghi"))
    # book: the tracking book of a period (.xlsx: as a spreadsheet); or "print book 2026"
    p.add_argument("--from", dest="date_from", metavar=_("NGÀY"), help=_("sổ theo dõi: từ ngày (YYYY-MM-DD)"))
    p.add_argument("--to", dest="date_to", metavar=_("NGÀY"), help=_("sổ theo dõi: đến ngày (YYYY-MM-DD)"))
    p.add_argument(PLAIN_FLAG, dest="plain_personal_data", action="store_true",
                   help=_("sổ theo dõi .xlsx: đồng ý ghi tệp có dữ liệu cá nhân của công dân mà không mã hoá"))
    add_common(p)
    p.set_defaults(handler=_print)


def _print(args: argparse.Namespace) -> int:
    from commune_desk.services.documents import print_form

    codes = list(args.codes)
    if args.kind == "book" and (args.date_from or args.date_to):
        codes = [args.date_from or "", args.date_to or ""]
    if args.kind == "book" and args.out.suffix.lower() == ".xlsx":  # names, addresses in a clear file
        from commune_desk.services import personal_exports

        personal_exports.require_plain_flag(args.plain_personal_data, personal_exports.BOOK, args.out)
    ctx = open_db(args)
    try:
        if args.kind == "book" and args.out.suffix.lower() == ".xlsx":
            from commune_desk.services.lifecycle_forms import book_period, export_book_xlsx

            out = export_book_xlsx(ctx, *book_period(codes), args.out)
        else:
            out = print_form(ctx, args.kind, codes, args.out)
    finally:
        ctx.db.close()
    emit(args, {"kind": args.kind, "codes": codes, "out": str(out)},
         _("Đã ghi {path}").format(path=out))
    return 0
