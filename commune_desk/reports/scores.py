"""Officer and unit scores of TT 01/2018 arts. 13–15 (FACTS.md 4.2), computed in SQL over the
dossiers resolved in the period (normally a quarter).

What the records allow, and what is approximated (listed in the report's notes, which name
the data that is missing):
- index 1 (total time): early 2, on time 1, late 0 — exact from ``outcome``;
- index 2 (each agency's time): index 1 stands in. The data exists (each hand-off event keeps
  the holder's ``step_outcome``), but scoring it means reading every resolved dossier's
  events (a lookup per dossier, 70,000 a quarter at 1 million dossiers): not done yet;
- index 3 (contacts needed): supplement requests: none 2, one 1, more 0 — exact;
- index 4 (bodies contacted) and 5 (whole process at the one-stop): 2, because commune_desk
  does not record a citizen having to contact another body, nor a procedure appraised or
  decided outside the one-stop;
- index 6 (publication): 2; the posting of procedures (where, when) is not recorded;
- index 7 (attitude): the citizen's score (0–2, as TT 01/2018 scores it) for criterion (đ),
  the officials' attitude, in the latest rating of the dossier given before the period's end;
  a dossier nobody rated on attitude: 2, or 0 with a complaint or "dislike" rating;
- the officer scored is the dossier's handler (``handler_name``); unassigned dossiers are
  listed together;
- index 8 (feedback handled on time): feedback/petitions (received, deadline, answered) are
  not recorded, so not scored;
- index 9 (online): 2 when ≥ 20 % of catalogue procedures are online, ≥ 30 % of new dossiers
  came online and no online dossier is overdue (TT 01/2018); the circular sets no 1-point
  level: 1 when two of the three hold (our reading), else 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from commune_desk.i18n import N_
from commune_desk.reports.model import Counts, Group, IndexScore, OfficerScore, ScoreSums, UnitScore
from commune_desk.store.models import Procedure

INDEX_LABELS = {
    1: N_("Thời gian giải quyết so với quy định"),
    2: N_("Thời gian xử lý của từng cơ quan"),
    3: N_("Số lần liên hệ để hoàn thiện hồ sơ"),
    4: N_("Số cơ quan phải liên hệ"),
    5: N_("Giải quyết trọn vẹn tại bộ phận một cửa"),
    6: N_("Công khai thủ tục hành chính"),
    7: N_("Thái độ của cán bộ"),
    8: N_("Xử lý phản ánh, kiến nghị đúng hạn"),
    9: N_("Dịch vụ công trực tuyến"),
}
OFFICER_INDICES = (1, 2, 3, 4, 6, 7)       # the indices scored per dossier (TT 01/2018)
APPROXIMATE = {2, 4, 5, 6, 9}
CONSTANT_TWO = (4, 5, 6)
NO_OFFICER = N_("(Chưa phân công cán bộ)")
ONLINE_PROCEDURE_LEVELS = ("một phần", "toàn trình", "mot phan", "toan trinh", "3", "4")


def officer_rating(total: float) -> str:
    if total >= 5:
        return N_("Hoàn thành 100% nhiệm vụ")
    if total >= 3.5:
        return N_("Hoàn thành từ 70% đến dưới 100% nhiệm vụ")
    return N_("Hoàn thành dưới 70% nhiệm vụ")


def unit_rating(total: float) -> str:
    if total >= 15:
        return N_("Xuất sắc")
    if total >= 12:
        return N_("Tốt")
    if total >= 9:
        return N_("Khá")
    if total >= 6:
        return N_("Trung bình")
    return N_("Yếu")


def _avg(total: float, n: int) -> float:
    return round(total / n, 1) if n else 0.0


def _dossier_indices(sums: ScoreSums) -> dict[int, float | None]:
    n = sums.n
    if not n:
        return {1: None, 2: None, 3: None, 4: 2.0, 6: 2.0, 7: None}
    first = _avg(sums.index1, n)
    return {1: first, 2: first, 3: _avg(sums.index3, n), 4: 2.0, 6: 2.0, 7: _avg(sums.index7, n)}


def online_procedure_share(session: Session) -> float | None:
    p = Procedure.__table__
    online = func.sum(case((func.lower(func.coalesce(p.c.online, "")).in_(ONLINE_PROCEDURE_LEVELS), 1), else_=0))
    n, k = session.execute(select(func.count(), online).where(p.c.active.is_(True))).one()
    return None if not n else 100.0 * int(k or 0) / int(n)


def index9(procedure_share: float | None, counts: Counts) -> float:
    new = counts.new_online + counts.new_counter + counts.new_post
    held = [procedure_share is not None and procedure_share >= 20,
            new > 0 and 100.0 * counts.new_online / new >= 30, counts.online_overdue == 0]
    return 2.0 if all(held) else 1.0 if sum(held) == 2 else 0.0


def _total(values: dict[int, float | None]) -> float:
    return round(sum(v for v in values.values() if v is not None), 1)


def scores(session: Session, groups: Sequence[Group], office_counts: dict[str, Counts],
           names: dict[str, str]) -> tuple[list[OfficerScore], list[UnitScore]]:
    """Officer scores (all chosen offices together) and one unit score per office, from the
    index sums of the period's groups (:func:`periodic.grouped_counts`)."""
    per_officer: dict[str, ScoreSums] = {}
    per_office: dict[str, ScoreSums] = {}
    for g in groups:
        if g.scores.n:
            per_officer.setdefault(g.officer, ScoreSums()).add(g.scores)
        per_office.setdefault(g.office_code, ScoreSums()).add(g.scores)
    officers = []
    for name, sums in per_officer.items():
        values = _dossier_indices(sums)
        indices = tuple(IndexScore(i, INDEX_LABELS[i], values[i], i in APPROXIMATE) for i in OFFICER_INDICES)
        total = _total({i: values[i] for i in OFFICER_INDICES})
        officers.append(OfficerScore(name or NO_OFFICER, sums.n, indices, total, officer_rating(total)))
    officers.sort(key=lambda o: (-o.total, o.name))

    share = online_procedure_share(session)
    units = []
    for code in sorted(set(office_counts) | set(per_office)):
        sums = per_office.get(code, ScoreSums())
        values = _dossier_indices(sums)
        values[5] = 2.0
        values[8] = None
        values[9] = index9(share, office_counts.get(code, Counts()))
        indices = tuple(IndexScore(i, INDEX_LABELS[i], values[i], i in APPROXIMATE) for i in range(1, 10))
        total = _total(values)
        units.append(UnitScore(code, names.get(code, code), sums.n, indices, total, unit_rating(total)))
    return officers, units
