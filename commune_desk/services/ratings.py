"""The citizen's evaluation (Decree 118/2025 art. 33.1 a–i; Decree 61/2018 art. 31;
FACTS.md 4.1) and the figures Decision 766 draws from it (FACTS.md 4.3).

- Each criterion is scored 2 (good), 1 (average) or 0 (poor), as TT 01/2018 art. 13 scores
  its indices; a criterion left blank is not counted (e.g. online services for a paper
  dossier). Criterion (i) "other" is the free comment.
- The rater's identity is kept apart from the rating (Decree 61 art. 27): a ``rating`` row
  has no name, ID number or phone, the form never asks for them, and the dossier's history
  records only that a rating was entered (channel and rating id, never the scores).
- ``complaint`` (a complaint or feedback was made) and ``dislike`` (not satisfied) feed the
  satisfaction figure: 100% − (overdue rate + share of dossiers with a complaint or dislike).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from commune_desk.domain.calendar import to_utc
from commune_desk.domain.lifecycle import Action
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import normalize
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import lifecycle
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, Rating

COMMENT_MAX = 2000


@dataclass(frozen=True)
class Criterion:
    key: str                               # stored key in ``rating.scores``
    letter: str                            # the decree's letter
    question: str                          # N_() text (Vietnamese source; printed as is)
    options: tuple[tuple[int, str], ...]   # (score, N_() label), best first


CRITERIA: tuple[Criterion, ...] = (
    Criterion("a", "a", N_("Thời gian trả kết quả so với quy định"),
              ((2, N_("Trước hạn")), (1, N_("Đúng hạn")), (0, N_("Quá hạn")))),
    Criterion("b", "b", N_("Số cơ quan phải liên hệ để hoàn thiện hồ sơ"),
              ((2, N_("Một cơ quan")), (1, N_("Hai cơ quan")), (0, N_("Từ ba cơ quan trở lên")))),
    Criterion("c", "c", N_("Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ"),
              ((2, N_("Không phải liên hệ thêm")), (1, N_("Một lần")), (0, N_("Hơn một lần")))),
    Criterion("d", "d", N_("Thông tin công khai về thủ tục hành chính"),
              ((2, N_("Chính xác, đầy đủ, kịp thời")), (1, N_("Chưa đầy đủ")), (0, N_("Không chính xác")))),
    Criterion("dd", "đ", N_("Thái độ của cán bộ, công chức"),
              ((2, N_("Nhiệt tình, chu đáo")), (1, N_("Bình thường")), (0, N_("Không hài lòng")))),
    Criterion("e", "e", N_("Kết quả đúng quy định; chi phí phải trả (kể cả chi phí ngoài quy định)"),
              ((2, N_("Đúng quy định, không phát sinh")), (1, N_("Có sai sót nhỏ")),
               (0, N_("Sai quy định hoặc phát sinh chi phí")))),
    Criterion("g", "g", N_("Việc tiếp nhận, xử lý ý kiến, kiến nghị"),
              ((2, N_("Kịp thời, thỏa đáng")), (1, N_("Chậm hoặc chưa thỏa đáng")), (0, N_("Không được xử lý")))),
    Criterion("h", "h", N_("Tiến độ, chất lượng dịch vụ công trực tuyến"),
              ((2, N_("Tốt")), (1, N_("Bình thường")), (0, N_("Kém")))),
)
OTHER_LETTER = "i"
OTHER_QUESTION = N_("Ý kiến khác")

CHANNELS: dict[str, str] = {
    "paper": N_("Phiếu giấy"),
    "device": N_("Thiết bị đánh giá tại quầy"),
    "online": N_("Trực tuyến"),
    "box": N_("Hòm thư góp ý"),
}


@dataclass(frozen=True)
class RatingRow:
    id: uuid.UUID
    dossier_id: uuid.UUID | None
    rated_at: dt.datetime
    channel: str
    scores: dict[str, int]
    complaint: bool
    dislike: bool
    comment: str | None

    @property
    def points(self) -> float | None:
        """Average of the answered criteria (0–2), None when none was answered."""
        return sum(self.scores.values()) / len(self.scores) if self.scores else None


def check_scores(scores: dict[str, int | None]) -> dict[str, int]:
    """Only the known criteria, each 0, 1 or 2; blanks dropped."""
    valid = {c.key: {v for v, _label in c.options} for c in CRITERIA}
    out: dict[str, int] = {}
    for key, score in (scores or {}).items():
        if score is None or score == "":
            continue
        if key not in valid:
            raise ValidationError(_("Không có tiêu chí đánh giá “{key}”.").format(key=key), field="scores")
        try:
            number = int(score)
        except (TypeError, ValueError):
            number = -1
        if number not in valid[key]:
            raise ValidationError(_("Điểm của tiêu chí {key} phải là 0, 1 hoặc 2.").format(key=key), field=key)
        out[key] = number
    return out


def record_rating(ctx: Ctx, dossier_id: uuid.UUID | str | None, *, scores: dict[str, int | None],
                  complaint: bool = False, dislike: bool = False, comment: str | None = None,
                  channel: str = "paper", at: dt.datetime | None = None) -> RatingRow:
    """Enter a citizen's evaluation (one per dossier; ``dossier_id`` None for a sheet from the
    comment box that names no dossier). Nothing about the rater is stored."""
    ctx.require(Perm.DOSSIERS)
    clean = check_scores(scores)
    if channel not in CHANNELS:
        raise ValidationError(_("Hình thức đánh giá không hợp lệ."), field="channel")
    comment = normalize(comment) or None
    if comment and len(comment) > COMMENT_MAX:
        raise ValidationError(_("Ý kiến dài quá {n} ký tự.").format(n=COMMENT_MAX), field="comment")
    if not clean and not comment and not complaint and not dislike:
        raise ValidationError(_("Phiếu đánh giá chưa có nội dung nào."), field="scores")
    at = at or utcnow()
    if at.tzinfo is None:
        at = to_utc(at)
    with ctx.db.write() as s:
        dossier = None
        if dossier_id is not None:
            dossier = lifecycle.get_dossier(s, dossier_id)
            if s.scalar(select(func.count(Rating.id)).where(Rating.dossier_id == dossier.id)):
                raise ValidationError(_("Hồ sơ {code} đã có đánh giá của công dân.").format(code=dossier.code),
                                      field="dossier")
        rating = Rating(dossier_id=dossier.id if dossier else None, rated_at=at, channel=channel, scores=clean,
                        complaint=bool(complaint), dislike=bool(dislike), comment=comment)
        s.add(rating)
        s.flush()
        if dossier is not None:
            lifecycle.perform_in(ctx, s, dossier, Action.RATE, {"rating_id": str(rating.id), "channel": channel}, at)
        return _row(rating)


def _row(r: Rating) -> RatingRow:
    return RatingRow(r.id, r.dossier_id, r.rated_at, r.channel, dict(r.scores or {}), bool(r.complaint),
                     bool(r.dislike), r.comment)


def ratings_of(ctx: Ctx, dossier_id: uuid.UUID) -> list[RatingRow]:
    ctx.require(Perm.DOSSIERS)
    with ctx.db.read() as s:
        return [_row(r) for r in s.scalars(select(Rating).where(Rating.dossier_id == dossier_id))]


@dataclass(frozen=True)
class Satisfaction:
    received: int              # dossiers received in the period
    overdue: int               # of them: finished late, or open past the appointment
    complained: int            # of them: with a complaint or a dislike
    percent: float             # 100 − (overdue rate + complaint/dislike share), never below 0


def satisfaction(ctx: Ctx, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> Satisfaction:
    """Decision 766 satisfaction for the dossiers received from ``start`` to ``end`` (local days)."""
    ctx.require(Perm.REPORTS)
    from commune_desk.domain.lifecycle import CLOCK_RUNNING

    now = now or utcnow()
    lo = to_utc(dt.datetime.combine(start, dt.time()))
    hi = to_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    in_period = (Dossier.received_at >= lo) & (Dossier.received_at < hi)
    with ctx.db.read() as s:
        received = s.scalar(select(func.count(Dossier.id)).where(in_period)) or 0
        late = s.scalar(select(func.count(Dossier.id)).where(in_period, Dossier.outcome == "late")) or 0
        open_late = s.scalar(select(func.count(Dossier.id)).where(
            in_period, Dossier.status.in_([st.value for st in CLOCK_RUNNING]), Dossier.due_at < now)) or 0
        complained = s.scalar(select(func.count(func.distinct(Rating.dossier_id))).join(
            Dossier, Dossier.id == Rating.dossier_id).where(in_period, Rating.complaint | Rating.dislike)) or 0
    if received == 0:
        return Satisfaction(0, 0, 0, 100.0)
    overdue = late + open_late
    percent = max(0.0, 100.0 - 100.0 * (overdue + complained) / received)
    return Satisfaction(received, overdue, complained, round(percent, 1))
