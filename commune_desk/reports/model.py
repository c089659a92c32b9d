"""The report as plain data: what the window shows, and what XLSX and PDF write, cell for cell.

Column labels are Vietnamese source strings marked with ``N_``: the window translates them
with ``_()``, the exported files (official documents) keep the Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from commune_desk.i18n import N_
from commune_desk.reports.periods import Period


@dataclass
class Counts:
    """One line of the periodic table (FACTS.md 4.5). Disjoint groups, so that
    ``received == resolved + open + waiting + withdrawn`` on every line."""

    received: int = 0        # handled in the period: new + carried over
    new_online: int = 0
    new_counter: int = 0
    new_post: int = 0
    carried: int = 0         # received before the period, still open at its start
    resolved: int = 0        # finished with a result during the period
    early: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0            # still being handled at the period's end (not waiting for the citizen)
    open_within: int = 0
    open_overdue: int = 0
    waiting: int = 0         # waiting for the citizen's supplement at the period's end
    withdrawn: int = 0       # finished without a result: withdrawn, stopped, refused, closed
    on_time_num: int = 0     # Decision 766 numerator: finished on time or early + open within deadline
    online_overdue: int = 0  # online dossiers not on time (TT 01/2018 index 9)

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rate(self) -> float | None:
        """The Decision 766 on-time rate in percent (None when nothing was handled)."""
        return None if self.received == 0 else 100.0 * self.on_time_num / self.received

    @property
    def overdue(self) -> int:
        """Handled dossiers that were (or are) late: the complement of the on-time numerator."""
        return self.received - self.on_time_num

    def cell(self, key: str) -> int | float | None:
        return self.rate if key == "rate" else getattr(self, key)


COUNT_KEYS = tuple(f.name for f in fields(Counts))


@dataclass
class ScoreSums:
    """Per-dossier index sums (TT 01/2018) over the dossiers resolved in the period."""

    n: int = 0           # dossiers resolved with a result
    index1: int = 0      # Σ 2 early / 1 on time / 0 late
    index3: int = 0      # Σ 2 no supplement / 1 one / 0 more
    index7: int = 0      # Σ attitude: the citizen's score for criterion (đ), else 2 (0 with a complaint or "dislike")

    def add(self, other: ScoreSums) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class Group:
    """One row of the period's GROUP BY: what every table of the report is summed from."""

    office_code: str
    field: str
    procedure_code: str
    procedure_name: str
    officer: str
    counts: Counts
    scores: ScoreSums


@dataclass(frozen=True)
class Column:
    key: str              # a Counts attribute, or "rate"
    label: str            # N_() Vietnamese
    group: str | None     # the merged header above it (None: the label spans both header rows)
    percent: bool = False


# The provincial table "Tình hình, kết quả giải quyết TTHC" (FACTS.md 4.5)
G_RECEIVED = N_("Số hồ sơ nhận giải quyết")
G_RESOLVED = N_("Số hồ sơ đã giải quyết")
G_OPEN = N_("Số hồ sơ đang giải quyết")
COLUMNS: tuple[Column, ...] = (
    Column("received", N_("Tổng số"), G_RECEIVED),
    Column("new_online", N_("Trực tuyến"), G_RECEIVED),
    Column("new_counter", N_("Trực tiếp"), G_RECEIVED),
    Column("new_post", N_("Qua dịch vụ bưu chính"), G_RECEIVED),
    Column("carried", N_("Từ kỳ trước chuyển sang"), G_RECEIVED),
    Column("resolved", N_("Tổng số"), G_RESOLVED),
    Column("early", N_("Trước hạn"), G_RESOLVED),
    Column("on_time", N_("Đúng hạn"), G_RESOLVED),
    Column("late", N_("Quá hạn"), G_RESOLVED),
    Column("open", N_("Tổng số"), G_OPEN),
    Column("open_within", N_("Trong hạn"), G_OPEN),
    Column("open_overdue", N_("Quá hạn"), G_OPEN),
    Column("waiting", N_("Chờ bổ sung"), None),
    Column("withdrawn", N_("Trả lại, rút hồ sơ"), None),
    Column("rate", N_("Tỷ lệ đúng hạn (%)"), None, percent=True),
)
STT_LABEL = N_("STT")
NAME_LABEL = N_("Lĩnh vực, thủ tục hành chính")
OFFICE_LABEL = N_("Đơn vị")
FRESHNESS_LABEL = N_("Số liệu đến ngày")

FIELD, PROCEDURE, OFFICE, TOTAL = "field", "procedure", "office", "total"


@dataclass
class Row:
    level: str            # field | procedure | office | total
    stt: str
    label: str            # Vietnamese data (field or procedure name), or N_() for the total
    counts: Counts
    code: str | None = None     # procedure code, or office code


@dataclass(frozen=True)
class Freshness:
    """How old one commune's figures are at the hub: the date of its last bundle."""

    office_code: str
    office_name: str
    last_at: datetime | None
    source: str           # "bundle" (sync records) | "records" (newest updated_at of its rows)


@dataclass(frozen=True)
class MonthPoint:
    period: Period
    received: int
    on_time_num: int

    @property
    def rate(self) -> float | None:
        return None if self.received == 0 else 100.0 * self.on_time_num / self.received


@dataclass(frozen=True)
class Satisfaction:
    """FACTS.md 4.3: 100% − (overdue rate + share of dossiers with a complaint or a dislike)."""

    handled: int
    overdue: int
    complained: int       # handled dossiers with a complaint or "dislike" rating
    ratings: int          # ratings given during the period

    @property
    def overdue_rate(self) -> float | None:
        return None if not self.handled else 100.0 * self.overdue / self.handled

    @property
    def complaint_rate(self) -> float | None:
        return None if not self.handled else 100.0 * self.complained / self.handled

    @property
    def figure(self) -> float | None:
        if not self.handled:
            return None
        return max(0.0, 100.0 - (self.overdue_rate or 0.0) - (self.complaint_rate or 0.0))

    @property
    def full_points(self) -> bool:
        return self.figure is not None and self.figure >= 90.0


@dataclass(frozen=True)
class CriterionResult:
    key: str
    label: str            # N_() Vietnamese
    count: int
    average: float | None
    satisfied: int        # top of the scale: 2 on 0–2, 4 or 5 on 1–5
    scale_max: int

    @property
    def satisfied_rate(self) -> float | None:
        return None if not self.count else 100.0 * self.satisfied / self.count


@dataclass(frozen=True)
class IndexScore:
    number: int           # 1..9 (TT 01/2018 art. 13)
    label: str            # N_()
    value: float | None   # 0..2, rounded to one decimal; None: no data
    approximate: bool


@dataclass(frozen=True)
class OfficerScore:
    name: str
    dossiers: int
    indices: tuple[IndexScore, ...]
    total: float
    rating: str           # N_() Vietnamese


@dataclass(frozen=True)
class UnitScore:
    office_code: str
    office_name: str
    dossiers: int
    indices: tuple[IndexScore, ...]
    total: float
    rating: str


@dataclass
class Training:
    """Training figures of the period's year (FACTS.md 7); ``available`` is False until the
    training area's tables exist."""

    available: bool = False
    year: int | None = None
    minimum_periods: int = 40
    staff: int = 0
    trained: int = 0
    meeting_minimum: int = 0
    people: list[tuple[str, str, float]] = field(default_factory=list)   # name, position, periods
    by_type: list[tuple[str, int, int]] = field(default_factory=list)   # type, courses, participants
    by_topic: list[tuple[str, int, int]] = field(default_factory=list)
    desk_staff: int = 0
    desk_staff_one_stop: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    office_codes: list[str]
    office_names: dict[str, str]
    scope_name: str                 # Vietnamese: the commune, or "3 xã", or "Tất cả các xã"
    issuer: str                     # the unit that issues the report (Decree 30 header)
    parent_body: str
    place: str
    is_hub: bool
    rows: list[Row]                 # field and procedure rows, then the total
    office_rows: list[Row]          # at the hub with several communes: one per commune, then the total
    freshness: list[Freshness]
    satisfaction: Satisfaction
    office_satisfaction: dict[str, Satisfaction]
    criteria: list[CriterionResult]
    trend: list[MonthPoint]
    officer_scores: list[OfficerScore]
    unit_scores: list[UnitScore]
    training: Training
    notes: list[str]                # N_() Vietnamese: what is approximated
    generated_at: datetime

    @property
    def total(self) -> Counts:
        return self.rows[-1].counts

    def overdue_by_field(self) -> list[tuple[str, int]]:
        """Overdue dossiers (resolved late + open overdue) per field, for the chart."""
        return [(r.label, r.counts.late + r.counts.open_overdue) for r in self.rows if r.level == FIELD]
