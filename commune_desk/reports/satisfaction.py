"""Citizens' ratings (FACTS.md 4.1) and the satisfaction figure of Decision 766 (4.3), in SQL.

``rating.scores`` is JSON (criterion key -> score, on a 0–2 or a 1–5 scale); the per-criterion
averages unpack it with ``json_each`` (SQLite) or ``json_each_text`` (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from commune_desk.i18n import N_
from commune_desk.reports.model import CriterionResult
from commune_desk.reports.periodic import d, in_period, office_filter
from commune_desk.store.base import UTCDateTime
from commune_desk.store.models import Rating

r = Rating.__table__

# Decree 61 art. 31 / Decree 118 art. 33.1 (a)–(i)
CRITERIA: tuple[tuple[str, str], ...] = (
    ("a", N_("Thời gian trả kết quả so với quy định")),
    ("b", N_("Số cơ quan phải liên hệ để hoàn thiện hồ sơ")),
    ("c", N_("Số lần phải liên hệ với nơi tiếp nhận hồ sơ")),
    ("d", N_("Thông tin công khai về thủ tục: chính xác, đầy đủ, kịp thời")),
    ("dd", N_("Thái độ của cán bộ, công chức")),
    ("e", N_("Kết quả đúng quy định; chi phí, kể cả chi phí ngoài quy định")),
    ("g", N_("Tiếp nhận, xử lý phản ánh, kiến nghị")),
    ("h", N_("Tiến độ, chất lượng dịch vụ công trực tuyến")),
    ("i", N_("Nội dung khác")),
)
_ALIASES = {"đ": "dd", "Đ": "dd"}
LABELS = dict(CRITERIA)
ORDER = {key: i for i, (key, _label) in enumerate(CRITERIA)}


def criterion_key(raw: str) -> str:
    key = _ALIASES.get(raw, raw)
    return key.lower() if key.lower() in LABELS else key


def complained_by_office(session: Session, start: datetime, end: datetime,
                         office_codes: Sequence[str] | None) -> dict[str, int]:
    """Handled dossiers of the period with a complaint or a "dislike" given before its end.
    Driven from the (few) negative ratings, each joined to its dossier by primary key."""
    negative = (select(r.c.dossier_id).where(or_(r.c.complaint.is_(True), r.c.dislike.is_(True)),
                                             r.c.rated_at < end, r.c.dossier_id.is_not(None))
                .distinct().subquery())
    where = [in_period(start, end)]
    if office_codes:
        where.extend(office_filter(office_codes, session))
    query = (select(d.c.office_code, func.count())
             .select_from(negative.join(d, d.c.id == negative.c.dossier_id)).where(and_(*where))
             .group_by(d.c.office_code))
    return {code: int(n) for code, n in session.execute(query)}


def ratings_by_office(session: Session, start: datetime, end: datetime,
                      office_codes: Sequence[str] | None) -> dict[str, int]:
    where = [r.c.rated_at >= start, r.c.rated_at < end]
    if office_codes:
        where.append(r.c.office_code.in_(list(office_codes)))
    query = select(r.c.office_code, func.count()).where(*where).group_by(r.c.office_code)
    return {code: int(n) for code, n in session.execute(query)}


_SQLITE = """
SELECT je.key AS key, COUNT(*) AS n, AVG(je.value) AS avg, MAX(je.value) AS mx,
       SUM(CASE WHEN je.value = 2 THEN 1 ELSE 0 END) AS top3,
       SUM(CASE WHEN je.value >= 4 THEN 1 ELSE 0 END) AS top5
FROM rating AS r, json_each(r.scores) AS je
WHERE r.rated_at >= :s AND r.rated_at < :e AND je.type IN ('integer', 'real') {offices}
GROUP BY je.key
"""
_POSTGRES = """
SELECT je.key AS key, COUNT(*) AS n, AVG(CAST(je.value AS numeric)) AS avg,
       MAX(CAST(je.value AS numeric)) AS mx,
       SUM(CASE WHEN CAST(je.value AS numeric) = 2 THEN 1 ELSE 0 END) AS top3,
       SUM(CASE WHEN CAST(je.value AS numeric) >= 4 THEN 1 ELSE 0 END) AS top5
FROM rating AS r CROSS JOIN LATERAL json_each_text(CAST(r.scores AS json)) AS je(key, value)
WHERE r.rated_at >= :s AND r.rated_at < :e AND je.value ~ '^-?[0-9]+(\\.[0-9]+)?$' {offices}
GROUP BY je.key
"""


def criteria_results(session: Session, start: datetime, end: datetime,
                     office_codes: Sequence[str] | None) -> list[CriterionResult]:
    """Per criterion: ratings, average score, share at the top of the scale (ratings given in the period)."""
    dialect = session.get_bind().dialect.name
    sql = _POSTGRES if dialect == "postgresql" else _SQLITE
    offices = "AND r.office_code IN :offices" if office_codes else ""
    stmt = text(sql.format(offices=offices)).bindparams(bindparam("s", type_=UTCDateTime()),
                                                         bindparam("e", type_=UTCDateTime()))
    params: dict[str, object] = {"s": start, "e": end}
    if office_codes:
        stmt = stmt.bindparams(bindparam("offices", expanding=True))
        params["offices"] = list(office_codes)
    merged: dict[str, list[float]] = {}
    for row in session.execute(stmt, params):
        key = criterion_key(str(row.key))
        n, avg, mx = int(row.n), float(row.avg or 0), float(row.mx or 0)
        acc = merged.setdefault(key, [0, 0.0, 0.0, 0, 0])
        acc[0] += n
        acc[1] += avg * n
        acc[2] = max(acc[2], mx)
        acc[3] += int(row.top3 or 0)
        acc[4] += int(row.top5 or 0)
    out = []
    for key, (n, total, mx, top3, top5) in merged.items():
        five = mx > 2
        out.append(CriterionResult(key=key, label=LABELS.get(key, key), count=int(n),
                                   average=(total / n) if n else None,
                                   satisfied=int(top5 if five else top3), scale_max=5 if five else 2))
    out.sort(key=lambda c: (ORDER.get(c.key, 99), c.key))
    return out
