"""Assemble a :class:`Report` from the SQL aggregates (a handful of queries; the rows that
come back are groups, never dossiers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from commune_desk.domain.text import fold
from commune_desk.i18n import N_
from commune_desk.reports import offices as office_data
from commune_desk.reports import satisfaction as sat
from commune_desk.reports.model import (
    FIELD,
    OFFICE,
    PROCEDURE,
    TOTAL,
    Counts,
    Group,
    MonthPoint,
    Report,
    Row,
    Satisfaction,
)
from commune_desk.reports.periodic import grouped_counts, monthly_on_time
from commune_desk.reports.periods import Period
from commune_desk.reports.scores import scores
from commune_desk.reports.training import training_figures
from commune_desk.store.base import utcnow

TOTAL_LABEL = N_("Tổng cộng")
Progress = Callable[[int, int], None]

NOTES = (
    N_("Tỷ lệ đúng hạn theo Quyết định 766/QĐ-TTg = (hồ sơ đã kết thúc trước hạn, đúng hạn + hồ sơ đang "
       "giải quyết còn trong hạn) / tổng số hồ sơ nhận giải quyết trong kỳ."),
    N_("Hồ sơ có hơn một lần yêu cầu bổ sung được tính là quá hạn. Thời gian chờ công dân bổ sung không "
       "tính vào thời hạn: ngày hẹn đã được tính lại khi nhận đủ hồ sơ."),
    N_("Hồ sơ đang giải quyết quá hạn: ngày hẹn trả trước ngày cuối kỳ (hoặc trước thời điểm lập báo cáo "
       "nếu kỳ chưa kết thúc)."),
    N_("Hồ sơ chưa kết thúc được xếp vào «Đang giải quyết» hay «Chờ bổ sung», trong hạn hay quá hạn, theo "
       "tình trạng tại thời điểm cuối kỳ, dựa trên lịch sử xử lý (yêu cầu bổ sung, nhận bổ sung, hẹn lại). Hồ sơ "
       "nhập từ hệ thống khác không có lịch sử thì tính theo lần yêu cầu bổ sung gần nhất và ngày hẹn hiện tại."),
    N_("Điểm theo Thông tư 01/2018/TT-VPCP: chỉ số 1, 3 tính đủ theo hồ sơ. Chỉ số 2 (thời gian của từng cơ "
       "quan) tạm lấy bằng chỉ số 1: kết quả từng bước chuyển xử lý đã ghi trong lịch sử hồ sơ nhưng báo cáo chưa "
       "chấm điểm theo từng bước. Chỉ số 4 và 5 tính 2 điểm vì công dân chỉ liên hệ bộ phận một cửa: phần mềm "
       "không ghi các lần công dân phải tự liên hệ cơ quan khác, cũng không ghi thủ tục nào được thẩm định, quyết "
       "định ngoài bộ phận một cửa. Chỉ số 6 tính 2 điểm: phần mềm không ghi việc niêm yết, công khai thủ tục "
       "(nơi, ngày công khai). Chỉ số 7 lấy điểm (0–2) công dân chấm cho tiêu chí thái độ của cán bộ ở lần đánh giá "
       "gần nhất của hồ sơ; hồ sơ không được chấm tiêu chí này tính 2 điểm, 0 điểm nếu có phản ánh hoặc đánh giá "
       "không hài lòng. Chỉ số 8 không tính: phần mềm chưa ghi phản ánh, kiến nghị (ngày nhận, hạn và ngày trả lời). "
       "Chỉ số 9: 2 điểm khi đủ cả ba điều kiện (từ 20% thủ tục trực tuyến theo danh mục, từ 30% hồ sơ mới nhận "
       "trực tuyến, không hồ sơ trực tuyến nào quá hạn); Thông tư không quy định mức 1 điểm, phần mềm cho 1 điểm "
       "khi đạt hai trong ba điều kiện. Điểm cán bộ là tổng các chỉ số tính theo hồ sơ (1, 2, 3, 4, 6, 7) trên hồ "
       "sơ người đó xử lý."),
)
HUB_NOTE = N_("Số liệu của mỗi xã tính đến ngày nhận gói đồng bộ gần nhất của xã đó; nếu chưa ghi nhận gói, "
              "lấy ngày cập nhật hồ sơ mới nhất (ghi «theo hồ sơ»).")


@dataclass(frozen=True)
class Issuer:
    """Who the report is for and who issues it (from the office and the print settings)."""

    role: str              # commune | hub
    office_code: str
    office_name: str
    parent_body: str
    issuer: str
    place: str


def roman(n: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def field_rows(groups: Sequence[Group]) -> list[Row]:
    """Field rows (I, II, …) each followed by its procedures (1, 2, …), then the total."""
    by_field: dict[str, dict[str, tuple[str, Counts]]] = {}
    for g in groups:
        procs = by_field.setdefault(g.field, {})
        if g.procedure_code not in procs:
            procs[g.procedure_code] = (g.procedure_name, Counts())
        procs[g.procedure_code][1].add(g.counts)
    rows: list[Row] = []
    total = Counts()
    for i, field in enumerate(sorted(by_field, key=fold), start=1):
        field_total = Counts()
        procs = by_field[field]
        children = []
        for j, code in enumerate(sorted(procs, key=lambda c: (fold(procs[c][0]), c)), start=1):
            name, counts = procs[code]
            field_total.add(counts)
            children.append(Row(PROCEDURE, str(j), name, counts, code))
        total.add(field_total)
        rows.append(Row(FIELD, roman(i), field, field_total))
        rows.extend(children)
    rows.append(Row(TOTAL, "", TOTAL_LABEL, total))
    return rows


def office_rows(groups: Sequence[Group], codes: Sequence[str], names: dict[str, str]) -> list[Row]:
    per: dict[str, Counts] = {code: Counts() for code in codes}
    for g in groups:
        per.setdefault(g.office_code, Counts()).add(g.counts)
    rows = [Row(OFFICE, str(i), names.get(code, code), per[code], code) for i, code in enumerate(codes, start=1)]
    total = Counts()
    for row in rows:
        total.add(row.counts)
    rows.append(Row(TOTAL, "", TOTAL_LABEL, total))
    return rows


TREND_MIN_MONTHS = 6


def trend_of(period: Period, months: int | None = None) -> list[Period]:
    """The months of the trend chart: the period's own months, or the last
    ``TREND_MIN_MONTHS`` up to its end when it is shorter (a quarter shows half a year)."""
    if months is None:
        own = period.months()
        return own if len(own) >= TREND_MIN_MONTHS else period.trailing_months(TREND_MIN_MONTHS)
    return period.trailing_months(months) if months else []


def trend_points(session: Session, period: Period, codes: Sequence[str], as_of: datetime,
                 trend_months: int | None = None) -> list[MonthPoint]:
    """The on-time rate of each month of :func:`trend_of` (one scan for all of them)."""
    months = trend_of(period, trend_months)
    figures = monthly_on_time(session, [m.utc_bounds() for m in months], as_of, codes)
    return [MonthPoint(m, received, on_time) for m, (received, on_time) in zip(months, figures, strict=True)]


def build_report(session: Session, issuer: Issuer, period: Period, *, requested: Sequence[str] | None = None,
                 as_of: datetime | None = None, minimum_periods: int = 40, trend_months: int | None = None,
                 progress: Progress | None = None) -> Report:
    """The whole report of ``period``: at a commune its own figures; at the hub those of the
    ``requested`` communes (all when empty), side by side."""
    as_of = as_of or utcnow()
    steps = 7
    tick = progress or (lambda _done, _total: None)
    is_hub = issuer.role == "hub"
    if is_hub:
        known = office_data.known_communes(session, issuer.office_code)
        codes = office_data.resolve_offices(requested, known)
        names = {c: known[c] for c in codes}
    else:
        codes = [issuer.office_code]
        names = {issuer.office_code: issuer.office_name}
    tick(0, steps)
    with ThreadPoolExecutor(max_workers=1) as beside:
        trend_future = trend_alongside(beside, session, period, codes, as_of, trend_months)
        report = _build(session, issuer, period, codes, names, requested, as_of, minimum_periods, trend_future,
                        trend_months, tick, steps)
    return report


def trend_alongside(pool: ThreadPoolExecutor, session: Session, period: Period, codes: Sequence[str],
                    as_of: datetime, trend_months: int | None) -> Future[list[MonthPoint]] | None:
    """The trend's scan started on a connection of its own, to run while ``session`` scans
    the table (both databases run two readers at once; sqlite3 and psycopg release the GIL
    while a query runs). None when it cannot be: no months, or a database that is not a
    shared file or server (an in-memory SQLite is private to its connection)."""
    bind = session.get_bind()
    if not trend_of(period, trend_months) or not isinstance(bind, Engine) or (
            bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:")):
        return None

    def work() -> list[MonthPoint]:
        with Session(bind) as other:
            return trend_points(other, period, codes, as_of, trend_months)
    return pool.submit(work)


def _build(session: Session, issuer: Issuer, period: Period, codes: list[str], names: dict[str, str],
           requested: Sequence[str] | None, as_of: datetime, minimum_periods: int,
           trend_future: Future[list[MonthPoint]] | None, trend_months: int | None, tick: Progress,
           steps: int) -> Report:
    is_hub = issuer.role == "hub"
    start, end = period.utc_bounds()
    groups = grouped_counts(session, start, end, as_of, codes)
    rows = field_rows(groups)
    per_office = office_rows(groups, codes, names)
    tick(1, steps)

    complained = sat.complained_by_office(session, start, end, codes)
    rated = sat.ratings_by_office(session, start, end, codes)
    office_sat = {row.code: Satisfaction(row.counts.received, row.counts.overdue, complained.get(row.code, 0),
                                         rated.get(row.code, 0)) for row in per_office if row.code}
    total = rows[-1].counts
    satisfaction = Satisfaction(total.received, total.overdue, sum(complained.values()), sum(rated.values()))
    criteria = sat.criteria_results(session, start, end, codes)
    tick(2, steps)

    trend = trend_future.result() if trend_future else trend_points(session, period, codes, as_of, trend_months)
    tick(4, steps)

    officers, units = scores(session, groups, {r.code: r.counts for r in per_office if r.code}, names)
    tick(5, steps)
    training = training_figures(session, codes, period.end, minimum_periods)
    tick(6, steps)
    freshness = office_data.freshness(session, codes, names) if is_hub else []

    if not is_hub:
        scope_name = issuer.office_name
    elif len(codes) == 1:
        scope_name = names[codes[0]]
    elif requested:
        scope_name = f"{len(codes)} xã: " + ", ".join(names[c] for c in codes)
    else:
        scope_name = f"Tất cả các xã ({len(codes)} xã)"
    report = Report(
        period=period, office_codes=list(codes), office_names=names, scope_name=scope_name,
        issuer=issuer.issuer, parent_body=issuer.parent_body, place=issuer.place, is_hub=is_hub,
        rows=rows, office_rows=per_office if is_hub else [], freshness=freshness,
        satisfaction=satisfaction, office_satisfaction=office_sat, criteria=criteria, trend=trend,
        officer_scores=officers, unit_scores=units, training=training,
        notes=list(NOTES) + ([HUB_NOTE] if is_hub else []), generated_at=as_of)
    tick(steps, steps)
    return report
