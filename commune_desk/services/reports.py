"""Reports: the periodic table, satisfaction, scores and training figures of a period, at a
commune or at the hub, and their XLSX and PDF files. Reading only; the role needs
``Perm.REPORTS``."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.reports import offices as office_data
from commune_desk.reports.build import Issuer, build_report, trend_points
from commune_desk.reports.model import Report
from commune_desk.reports.periods import Period, parse_period
from commune_desk.services import audit
from commune_desk.services.context import Ctx
from commune_desk.services.documents import parent_body, place_name, unit_names

Progress = Callable[[int, int], None]
FORMATS = (".xlsx", ".pdf")


def period_from_text(ctx: Ctx, text: str, *, cutoff: bool | None = None) -> Period:
    """Parse a period; ``cutoff`` None follows the office setting ``reports.cutoff_periods``."""
    if cutoff is None:
        cutoff = bool(ctx.db.setting("reports.cutoff_periods"))
    return parse_period(text, cutoff=cutoff, cutoff_day=int(ctx.db.setting("reports.cutoff_day")))


def issuer_of(ctx: Ctx) -> Issuer:
    office = ctx.db.require_office()
    if office.is_hub:
        configured = str(ctx.db.setting("print.parent_body") or "").strip()
        place = str(ctx.db.setting("print.place_name") or "").strip() or hub_place(office)
        return Issuer(office.role, office.office_code, office.office_name, configured,
                      office.office_name.upper(), place)
    issuing, _receiving = unit_names(office, str(ctx.db.setting("rules.default_set")))
    return Issuer(office.role, office.office_code, office.office_name, parent_body(ctx, office),
                  issuing, place_name(ctx, office))


def hub_place(office) -> str:
    """"Tuyên Quang" for "UBND tỉnh Tuyên Quang" (Decree 30: the unit's place name)."""
    if office.province_name:
        return office.province_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    name = office.office_name
    for prefix in ("UBND tỉnh ", "UBND thành phố ", "Ủy ban nhân dân tỉnh ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def known_communes(ctx: Ctx) -> dict[str, str]:
    """At the hub: the communes it holds figures for (code -> name). Empty at a commune."""
    ctx.require(Perm.REPORTS)
    office = ctx.db.require_office()
    if not office.is_hub:
        return {}
    with ctx.db.read() as s:
        return office_data.known_communes(s, office.office_code)


def periodic_report(ctx: Ctx, period: str | Period, *, offices: Sequence[str] | None = None,
                    cutoff: bool | None = None, as_of: datetime | None = None, trend: bool = True,
                    progress: Progress | None = None) -> Report:
    """Every figure of ``period`` ("2027-Q1", "2027-03", "2027", a date range). At the hub,
    ``offices`` chooses communes by code (all when empty); at a commune it must be empty.
    ``trend=False`` leaves the monthly trend empty (:func:`report_trend` adds it later)."""
    ctx.require(Perm.REPORTS)
    if isinstance(period, str):
        period = period_from_text(ctx, period, cutoff=cutoff)
    issuer = issuer_of(ctx)
    if offices and issuer.role != "hub":
        wanted = [c.strip() for o in offices for c in str(o).split(",") if c.strip()]
        if any(code != issuer.office_code for code in wanted):
            raise ValidationError(_("Chỉ cấp trên mới lập báo cáo cho xã khác; máy này là {name}.")
                                  .format(name=issuer.office_name), field="offices")
        offices = None
    with ctx.db.read() as s:
        return build_report(s, issuer, period, requested=offices, as_of=as_of,
                            minimum_periods=int(ctx.db.setting("training.yearly_minimum_periods", s)),
                            trend_months=None if trend else 0, progress=progress)


def report_trend(ctx: Ctx, report: Report) -> Report:
    """``report`` with its monthly on-time trend (the chart), computed for the same communes
    and as of the same moment as its table."""
    ctx.require(Perm.REPORTS)
    with ctx.db.read() as s:
        points = trend_points(s, report.period, report.office_codes, report.generated_at)
    return dataclasses.replace(report, trend=points)


def export_report(ctx: Ctx, report: Report, path: str | Path, *, progress: Progress | None = None) -> Path:
    """Write ``report`` as XLSX or PDF (by the file's extension). The file appears whole or
    not at all: it is written beside the target and renamed at the end."""
    ctx.require(Perm.REPORTS)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(_("Tệp báo cáo phải có đuôi .xlsx hoặc .pdf (đã nhập: {name}).")
                              .format(name=target.name), field="out")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(_("Không có thư mục {folder}.").format(folder=folder), field="out")
    if suffix == ".xlsx":
        from commune_desk.reports.xlsx import write_xlsx as writer
    else:
        from commune_desk.reports.pdf import write_pdf as writer
    # a fresh name beside the target (created by the writer, so the user's umask applies)
    tmp = folder / f".{target.stem}-{uuid.uuid4().hex[:8]}.part{suffix}"
    try:
        writer(report, tmp, progress=progress)
        os.replace(tmp, target)
    except PermissionError as exc:
        raise KnownError(_("Không ghi được tệp {name}: tệp đang mở ở chương trình khác hoặc không có quyền ghi.")
                         .format(name=target.name)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    audit.log(ctx, "export", target.name, {"what": "report", "period": str(getattr(report, "period", ""))})
    return target
