"""Sub-commands of the reports area: ``report PERIOD --out FILE.(xlsx|pdf) [--office CODE ...]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from commune_desk.cli import add_common, emit, open_db
from commune_desk.i18n import _
from commune_desk.services.personal_exports import PLAIN_FLAG


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("report", help=_("lập báo cáo tình hình, kết quả giải quyết TTHC của một kỳ, ra tệp XLSX "
                                        "hoặc PDF"))
    p.add_argument("period", metavar=_("KỲ"),
                   help=_("kỳ báo cáo: 2027-Q1 (quý), 2027-03 (tháng), 2027 (năm), 2027-H1 (6 tháng) hoặc "
                          "01/01/2027-31/03/2027"))
    p.add_argument("--out", type=Path, required=True, help=_("tệp sẽ ghi: .xlsx hoặc .pdf"))
    p.add_argument("--office", action="append", default=[], metavar=_("MÃ_XÃ"),
                   help=_("cấp trên: chỉ các xã này (nhắc lại hoặc ngăn bằng dấu phẩy); mặc định tất cả"))
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--cutoff", dest="cutoff", action="store_true", default=None,
                      help=_("kỳ theo ngày chốt số liệu (từ ngày 15 tháng trước đến ngày 14)"))
    kind.add_argument("--calendar", dest="cutoff", action="store_false",
                      help=_("kỳ theo lịch (từ ngày đầu đến ngày cuối tháng)"))
    p.add_argument(PLAIN_FLAG, dest="plain_personal_data", action="store_true",
                   help=_(".xlsx: đồng ý ghi tệp có họ tên, số tiết bồi dưỡng của từng cán bộ mà không mã hoá"))
    add_common(p)
    p.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from commune_desk.services import personal_exports
    from commune_desk.services import reports as service

    ctx = open_db(args)
    try:
        report = service.periodic_report(ctx, args.period, offices=args.office or None, cutoff=args.cutoff)
        if personal_exports.report_lists_people(report, args.out):
            personal_exports.require_plain_flag(args.plain_personal_data, personal_exports.REPORT_PEOPLE, args.out)
        out = service.export_report(ctx, report, args.out)
    finally:
        ctx.db.close()
    total = report.total
    rate = "-" if total.rate is None else f"{total.rate:.2f}".replace(".", ",")
    data = {
        "period": report.period.code, "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(), "offices": report.office_codes, "out": str(out),
        "totals": {key: total.cell(key) for key in ("received", "new_online", "new_counter", "new_post", "carried",
                                                     "resolved", "early", "on_time", "late", "open", "open_within",
                                                     "open_overdue", "waiting", "withdrawn")},
        "on_time_rate": None if total.rate is None else round(total.rate, 2),
        "satisfaction": None if report.satisfaction.figure is None else round(report.satisfaction.figure, 2),
        "freshness": {f.office_code: f.last_at.isoformat() if f.last_at else None for f in report.freshness},
    }
    emit(args, data, _("Đã ghi {path}: {period}, {n} hồ sơ nhận giải quyết, tỷ lệ đúng hạn {rate}%.")
         .format(path=out, period=report.period.label(), n=total.received, rate=rate))
    return 0
