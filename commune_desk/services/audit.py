"""The audit trail: who did what, when, from which installation.

- :func:`record` adds an entry inside the caller's transaction (it commits or vanishes
  with the action it describes).
- A flush hook records every change to a synced record automatically: entity, id,
  version, operation — never the personal data itself.
- Entries are hash-chained per installation; :func:`verify_chain` finds a deleted, edited
  or reordered entry.
- :func:`browse` lets a leader (``Perm.AUDIT``) filter the trail.

The chain has no secret key: someone who rewrites every entry after the one they changed
and the change log as well is caught only by the copy of the chain the hub already holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, event, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from commune_desk.domain.calendar import LOCAL_TZ
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold
from commune_desk.i18n import N_, _
from commune_desk.services.context import Actor, Ctx, acting_user
from commune_desk.store.base import Synced, utcnow, uuid7
from commune_desk.store.changes import insert_directly
from commune_desk.store.models import AuditEntry, ChangeLog, Office

GENESIS = "0" * 64
MAX_CHANGES_LISTED = 500  # a bulk flush lists the first ones and counts the rest

ACTION_LABELS: dict[str, str] = {
    "login.ok": N_("Đăng nhập"),
    "login.failed": N_("Đăng nhập sai"),
    "login.locked": N_("Tài khoản bị khóa do đăng nhập sai"),
    "user.create": N_("Tạo tài khoản"),
    "user.role": N_("Đổi vai trò tài khoản"),
    "user.update": N_("Sửa tài khoản"),
    "user.password": N_("Đổi mật khẩu"),
    "user.unlock": N_("Mở khóa tài khoản"),
    "data.change": N_("Thay đổi dữ liệu"),
    "id.reveal": N_("Xem số định danh đầy đủ"),
    "print": N_("In biểu mẫu"),
    "export": N_("Xuất dữ liệu"),
    "backup": N_("Sao lưu"),
    "backup.copy": N_("Chép bản sao lưu sang nơi thứ hai"),
    "backup.settings": N_("Đổi cài đặt sao lưu"),
    "restore": N_("Khôi phục từ bản sao lưu"),
    "privacy.anonymise": N_("Ẩn danh hồ sơ quá hạn lưu"),
    "privacy.data_request": N_("Cung cấp dữ liệu cho công dân"),
    "sync.bundle": N_("Đóng gói dữ liệu gửi cấp trên"),
    "sync.import": N_("Nhập gói dữ liệu của đơn vị cấp xã"),
}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


# -- the chain --------------------------------------------------------------------------

def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical(entry: Any) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (the same on every machine)."""
    body = {
        "id": str(entry.id), "office_code": entry.office_code, "installation": str(entry.installation),
        "seq": entry.seq, "at": _iso(entry.at), "actor": entry.actor, "action": entry.action,
        "target": entry.target, "details": entry.details or {}, "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Any) -> str:
    """SHA-256 of :func:`canonical` (``entry``: an AuditEntry or a row with its columns)."""
    return hashlib.sha256(canonical(entry)).hexdigest()


@cache
def _office_and_head() -> Select:
    """The office and the last entry of its chain, in one statement (built once)."""
    def last(col):
        return (select(col).where(AuditEntry.installation == Office.installation_id)
                .order_by(AuditEntry.seq.desc()).limit(1).scalar_subquery())

    return select(Office.installation_id, Office.office_code, last(AuditEntry.seq), last(AuditEntry.hash)).limit(1)


@cache
def head_columns() -> tuple:
    """The office and the head of its chain as scalar subqueries, so a write that queries
    anyway (a save reads its procedure) fetches them in the same statement (built once):
    pass the four values to :func:`take_head` in the same transaction."""
    office = select(Office.installation_id).limit(1).scalar_subquery()

    def last(col):
        return select(col).where(AuditEntry.installation == office).order_by(AuditEntry.seq.desc()).limit(1)

    return (office.label("audit_installation"),
            select(Office.office_code).limit(1).scalar_subquery().label("audit_office_code"),
            last(AuditEntry.seq).scalar_subquery().label("audit_seq"),
            last(AuditEntry.hash).scalar_subquery().label("audit_hash"))


def take_head(session: Session, installation: uuid.UUID | None, office_code: str | None, seq: int | None,
              last_hash: str | None) -> None:
    """Use the :func:`head_columns` values read in this transaction instead of a query of its own."""
    if installation is None or "audit_installation" in session.info:
        return
    session.info["audit_installation"] = (installation, office_code)
    if "audit_head" not in session.info:
        session.info["audit_head_stored"] = (installation, seq or 0, last_hash or GENESIS)


def _installation(session: Session) -> tuple[uuid.UUID, str] | None:
    cached = session.info.get("audit_installation")
    if cached is None:
        with session.no_autoflush:
            row = session.execute(_office_and_head()).first()
        if row is None:
            return None
        cached = session.info["audit_installation"] = (row[0], row[1])
        if "audit_head" not in session.info:  # read in the same query: :func:`_head` takes it
            session.info["audit_head_stored"] = (row[0], row[2] or 0, row[3] or GENESIS)
    return cached


def _head(session: Session, installation: uuid.UUID) -> tuple[int, str]:
    """The last entry of this installation's chain: flushed ones and those still pending.
    Kept in ``session.info`` for the rest of the transaction (dropped on any rollback)."""
    cached = session.info.get("audit_head")
    if cached is not None and cached[0] == installation:
        return cached[1], cached[2]
    stored = session.info.pop("audit_head_stored", None)
    if stored is not None and stored[0] == installation:
        seq, last = stored[1], stored[2]
    else:
        with session.no_autoflush:
            row = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                                  .where(AuditEntry.installation == installation)
                                  .order_by(AuditEntry.seq.desc()).limit(1)).first()
        seq, last = (row[0], row[1]) if row else (0, GENESIS)
    for obj in session.new:
        if isinstance(obj, AuditEntry) and obj.installation == installation and obj.seq > seq:
            seq, last = obj.seq, obj.hash
    return seq, last


def _actor_name(actor: Actor | str | None) -> str:
    if isinstance(actor, Actor):
        return actor.username
    if actor:
        return str(actor)[:64]
    return acting_user.get() or "unknown"


def record(session: Session, actor: Actor | str | None, action: str, target: str | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry | None:
    """Append an entry inside the caller's (write) transaction.

    ``details`` must hold no personal data in clear. Returns None before the office is set up
    (there is no installation to chain to yet).
    """
    entry = _next_entry(session, actor, action, target, details)
    if entry is not None:
        session.add(entry)
    return entry


def _next_entry(session: Session, actor: Actor | str | None, action: str, target: str | None,
                details: dict[str, Any] | None) -> AuditEntry | None:
    """The next entry of the chain, hashed, and taken as its head (not yet in the session)."""
    inst = _installation(session)
    if inst is None:
        return None
    installation, office_code = inst
    seq, prev = _head(session, installation)
    entry = AuditEntry(installation=installation, office_code=office_code, seq=seq + 1,
                       at=utcnow(), actor=_actor_name(actor), action=action,
                       target=(target or None) and str(target)[:200],
                       details=json.loads(json.dumps(details or {}, default=str)), prev_hash=prev)
    entry.created_at = entry.updated_at = entry.at
    entry.version = 1
    entry.id = uuid7()  # the id is part of the hash, so set it now rather than at flush
    entry.hash = entry_hash(entry)
    session.info["audit_head"] = (installation, entry.seq, entry.hash)
    return entry


def _write_directly(session: Session, entries: list[AuditEntry]) -> None:
    """Insert ``entries`` (in chain order) and their outbox rows with two Core statements: at
    the commit, after the last flush, this spares a whole flush of the unit of work."""
    if entries:
        insert_directly(session, entries)


def add_directly(session: Session, *objs: Synced) -> None:
    """Write new synced records now, with Core statements and their outbox rows
    (:func:`commune_desk.store.changes.insert_directly`), and list them in the transaction's
    "data.change" entry as a flush would: for a hot path writing a few fresh rows."""
    insert_directly(session, list(objs))
    if session.info.get("capture_changes", True):
        _note_changes(session, [[o.__tablename__, str(o.id), o.version, "insert"] for o in objs
                                if not isinstance(o, AuditEntry)], objs)


def log(ctx: Ctx, action: str, target: str | None = None, details: dict[str, Any] | None = None) -> None:
    """Record an action that changes no record (an export, a print) in a transaction of its
    own, after the action succeeded. One line at the end of such a service."""
    with ctx.db.write() as s:
        record(s, ctx.actor, action, target, details)


# -- the automatic record of every change to a synced record ---------------------------

def _changes_of_flush(session: Session) -> list[list]:
    changes: list[list] = []
    for obj in session.new:
        if isinstance(obj, Synced) and not isinstance(obj, AuditEntry):
            changes.append([obj.__tablename__, str(obj.id), obj.version, "insert"])
    for obj in session.dirty:
        if (isinstance(obj, Synced) and not isinstance(obj, AuditEntry)
                and session.is_modified(obj, include_collections=False)):
            changes.append([obj.__tablename__, str(obj.id), obj.version, "update"])
    for obj in session.deleted:
        if isinstance(obj, Synced) and not isinstance(obj, AuditEntry):
            changes.append([obj.__tablename__, str(obj.id), obj.version, "delete"])
    return changes


def _after_flush(session: Session, _flush_ctx) -> None:
    if not session.info.get("capture_changes", True):
        return  # the hub applying another office's bundle: the import is audited as one action
    _note_changes(session, _changes_of_flush(session), (*session.new, *session.dirty))


def _note_changes(session: Session, changes: list[list], objs) -> None:
    """Keep ``changes`` (and the codes of ``objs``) for the transaction's "data.change" entry."""
    if changes:
        session.info.setdefault("audit_pending_changes", []).extend(changes)
        # codes (dossier, procedure) are not personal and let a leader find the entry
        codes = session.info.setdefault("audit_pending_codes", [])
        for obj in objs:
            code = getattr(obj, "code", None)
            if isinstance(obj, Synced) and isinstance(code, str) and code not in codes and len(codes) < 3:
                codes.append(code)


def _before_commit(session: Session) -> None:
    """One entry per transaction (one user action) listing every synced record it changed;
    the commit flushes the entry with the rest, so both land or neither does. When only audit
    entries are pending (a print recorded after the records went in directly), they are
    written with this one directly, in chain order, instead of by a flush."""
    pending: list[AuditEntry] = []
    if (session.new and not session.dirty and not session.deleted and session.info.get("capture_changes", True)
            and all(isinstance(obj, AuditEntry) for obj in session.new)):
        pending = sorted(session.new, key=lambda entry: entry.seq)
        for entry in pending:
            session.expunge(entry)
    elif session.new or session.dirty or session.deleted:
        session.flush()
    changes = session.info.pop("audit_pending_changes", None)
    codes = session.info.pop("audit_pending_codes", [])
    entry = None
    if changes:
        entities = sorted({c[0] for c in changes})
        details: dict[str, Any] = {"changes": changes[:MAX_CHANGES_LISTED], "count": len(changes)}
        target = ", ".join(entities) + (": " + ", ".join(codes) if codes else "")
        entry = _next_entry(session, session.info.get("audit_actor"), "data.change", target[:200], details)
    if entry is not None and (session.new or session.dirty or session.deleted):
        _write_directly(session, pending)  # another before_commit hook added more: one flush
        session.add(entry)
    else:
        _write_directly(session, pending + ([entry] if entry is not None else []))


def _forget(session: Session, *_args) -> None:
    """After a rollback (a savepoint's too) or a commit, nothing pending is trusted."""
    for key in ("audit_pending_changes", "audit_pending_codes", "audit_head", "audit_head_stored"):
        session.info.pop(key, None)


def install_audit_hook(factory: sessionmaker[Session]) -> None:
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "before_commit", _before_commit)
        event.listen(factory, "after_soft_rollback", _forget)
        event.listen(factory, "after_commit", _forget)


# -- verification -----------------------------------------------------------------------

@dataclass(frozen=True)
class ChainProblem:
    installation: str
    seq: int
    kind: str          # edited | missing | order | unlogged
    message: str


@dataclass
class ChainReport:
    entries: int = 0
    chains: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, installation: str, seq: int, kind: str, message: str) -> None:
        self.problems.append(ChainProblem(installation, seq, kind, message))

    def summary(self) -> str:
        if self.ok:
            return _("Nhật ký kiểm tra toàn vẹn: {n} mục, không có dấu hiệu bị sửa hoặc xóa.").format(n=self.entries)
        return _("Nhật ký kiểm tra có dấu hiệu bị can thiệp ({n} vấn đề). Đầu tiên: {first}").format(
            n=len(self.problems), first=self.problems[0].message)


def verify_chain(session: Session, installation: uuid.UUID | None = None) -> ChainReport:
    """Walk each installation's chain in ``seq`` order and report every break.

    - a recomputed hash that differs: the entry was edited;
    - a gap in ``seq`` or a ``prev_hash`` that is not the previous entry's hash: an entry
      was deleted, or entries were reordered;
    - a change-log row that names an entry no longer there (the tail was cut), or change-log
      order that disagrees with ``seq`` order (entries renumbered).
    """
    report = ChainReport()
    t = AuditEntry
    # plain rows, not ORM objects: a year of entries is checked in seconds
    query = (select(t.id, t.office_code, t.installation, t.seq, t.at, t.actor, t.action, t.target, t.details,
                    t.prev_hash, t.hash).order_by(t.installation, t.seq))
    if installation is not None:
        query = query.where(t.installation == installation)
    seq_of: dict[uuid.UUID, tuple[str, int]] = {}
    current: uuid.UUID | None = None
    expected_seq, prev_hash = 1, GENESIS
    for entry in session.execute(query):
        report.entries += 1
        inst = str(entry.installation)
        seq_of[entry.id] = (inst, entry.seq)
        if entry.installation != current:
            current, expected_seq, prev_hash = entry.installation, 1, GENESIS
            report.chains += 1
        if entry.seq != expected_seq:
            report.add(inst, expected_seq, "missing",
                       _("Thiếu mục số {a}–{b} trong nhật ký (đã bị xóa).").format(a=expected_seq, b=entry.seq - 1)
                       if entry.seq > expected_seq else
                       _("Mục số {n} xuất hiện sai thứ tự.").format(n=entry.seq))
        elif entry.prev_hash != prev_hash:
            report.add(inst, entry.seq, "order",
                       _("Mục số {n} không nối tiếp mục trước nó (nhật ký bị xóa hoặc đảo thứ tự).")
                       .format(n=entry.seq))
        if entry_hash(entry) != entry.hash:
            report.add(inst, entry.seq, "edited", _("Mục số {n} đã bị sửa sau khi ghi.").format(n=entry.seq))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    _check_change_log(session, seq_of, report, installation)
    return report


def _check_change_log(session: Session, seq_of: dict[uuid.UUID, tuple[str, int]], report: ChainReport,
                      installation: uuid.UUID | None) -> None:
    """Entries written here also left an outbox row in the same transaction, in order."""
    own = session.scalar(select(Office.installation_id))
    if own is None or (installation is not None and installation != own):
        return
    last_seq = 0
    rows = session.execute(select(ChangeLog.record_id).where(ChangeLog.entity == AuditEntry.__tablename__,
                                                             ChangeLog.op == "upsert")
                           .order_by(ChangeLog.seq))
    for (record_id,) in rows:
        found = seq_of.get(record_id)
        if found is None:
            report.add(str(own), last_seq + 1, "missing",
                       _("Một mục nhật ký đã ghi (sau mục số {n}) không còn trong cơ sở dữ liệu.").format(n=last_seq))
            continue
        inst, seq = found
        if inst == str(own):
            if seq < last_seq:
                report.add(inst, seq, "order", _("Mục số {n} bị đánh số lại (đảo thứ tự).").format(n=seq))
            last_seq = max(last_seq, seq)


# -- browsing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    date_from: dt.date | None = None    # local dates, inclusive
    date_to: dt.date | None = None
    actor: str | None = None
    action: str | None = None           # exact action or a prefix ending in "." (e.g. "login.")
    text: str | None = None             # in the target, diacritics ignored


@dataclass(frozen=True)
class AuditRow:
    id: uuid.UUID
    seq: int
    at: dt.datetime          # local time, naive
    actor: str
    action: str
    action_label: str
    target: str
    details: str
    installation: str


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def browse(ctx: Ctx, flt: AuditFilter | None = None, *, limit: int = 200,
           after: tuple[dt.datetime, int] | None = None) -> list[AuditRow]:
    """The newest entries first; ``after`` = (at, seq) of the last row shown, for the next page."""
    ctx.require(Perm.AUDIT)
    flt = flt or AuditFilter()
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.seq.desc())
    if flt.date_from:
        query = query.where(AuditEntry.at >= _local_start(flt.date_from))
    if flt.date_to:
        query = query.where(AuditEntry.at < _local_start(flt.date_to + dt.timedelta(days=1)))
    if flt.actor:
        query = query.where(func.lower(AuditEntry.actor) == flt.actor.strip().lower())
    if flt.action:
        if flt.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(flt.action))
        else:
            query = query.where(AuditEntry.action == flt.action)
    if after is not None:
        at, seq = after
        at_utc = at.replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC) if at.tzinfo is None else at
        query = query.where(or_(AuditEntry.at < at_utc, and_(AuditEntry.at == at_utc, AuditEntry.seq < seq)))
    needle = fold(flt.text)
    rows: list[AuditRow] = []
    with ctx.db.read() as s:
        # the text filter is folded in Python (targets are short); page until the limit is met
        for entry in s.execute(query.limit(limit if not needle else limit * 20)).scalars():
            if needle and needle not in fold(entry.target) and needle not in fold(json.dumps(
                    entry.details, ensure_ascii=False)):
                continue
            rows.append(_row(entry))
            if len(rows) >= limit:
                break
    return rows


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(e.id, e.seq, e.at.astimezone(LOCAL_TZ).replace(tzinfo=None), e.actor, e.action,
                    action_label(e.action), e.target or "", describe_details(e.action, e.details or {}),
                    str(e.installation)[:8])


DETAIL_KEYS: dict[str, str] = {
    "reason": N_("lý do"), "failed": N_("số lần sai"), "role": N_("vai trò"), "minutes": N_("phút"),
    "kind": N_("loại"), "size": N_("dung lượng (byte)"), "removed": N_("bản cũ đã xóa"),
    "second_place": N_("nơi thứ hai"), "masked": N_("số định danh"), "dossier_id": N_("mã bản ghi"),
    "count": N_("số hồ sơ"), "codes": N_("mã hồ sơ"), "default_months": N_("thời hạn mặc định (tháng)"),
    "dossiers": N_("số hồ sơ"), "file": N_("tệp"), "what": N_("nội dung"), "encrypted": N_("mã hóa"),
    "before_restore": N_("trạng thái cũ lưu ở"), "damaged_copy": N_("bản hỏng lưu ở"),
    "new_key": N_("mật khẩu mã hóa mới"), "clear_ok": N_("cho phép chép không mã hóa"), "rows": N_("số dòng"),
    "active": N_("đang dùng"), "full_name": N_("họ tên"), "ok": N_("thành công"), "problem": N_("vấn đề"),
    "codes_count": N_("số mã"), "format": N_("định dạng"), "period": N_("kỳ"),
    "seq": N_("gói số"), "changes": N_("số thay đổi"), "records": N_("số bản ghi"), "counts": N_("theo bảng"),
    "to": N_("nơi nhận"), "source": N_("nguồn"), "office": N_("đơn vị"), "status": N_("kết quả"), "message": N_("nội dung"),
    "then_applied": N_("nhập tiếp các gói đang giữ"), "office_code": N_("mã đơn vị"),
}
DETAIL_VALUES: dict[str, str] = {
    "wrong_password": N_("sai mật khẩu"), "unknown_user": N_("không có tài khoản này"),
    "inactive": N_("tài khoản ngừng sử dụng"), "locked": N_("tài khoản đang bị khóa"), "damaged": N_("tệp hỏng"),
    "daily": N_("hằng ngày"), "manual": N_("sao lưu ngay"), "backup": N_("bản sao lưu"), "ok": N_("thành công"),
    "applied": N_("đã nhập"), "held": N_("giữ lại chờ gói trước"), "duplicate": N_("đã nhập trước đó"),
    "clone": N_("hai gói khác nhau cùng số"), "refused": N_("bị từ chối"), "staff": N_("danh sách cán bộ"),
    "book": N_("sổ theo dõi hồ sơ"), "report": N_("báo cáo"),
}


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, str) and value in DETAIL_VALUES:
        return _(DETAIL_VALUES[value])
    return "" if value is None else str(value)


def describe_details(action: str, details: dict[str, Any]) -> str:
    """Details in a line a leader can read."""
    if action == "data.change":
        counts: dict[str, int] = defaultdict(int)
        for entity, _id, _version, op in details.get("changes", []):
            counts[f"{entity} ({op})"] += 1
        text = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        extra = int(details.get("count", 0)) - sum(counts.values())
        return text + (_(" và {n} thay đổi khác").format(n=extra) if extra > 0 else "")
    return "; ".join(f"{_(DETAIL_KEYS[k]) if k in DETAIL_KEYS else k}: {_value_text(v)}"
                     for k, v in details.items() if v not in (None, ""))


def actors(ctx: Ctx) -> list[str]:
    ctx.require(Perm.AUDIT)
    with ctx.db.read() as s:
        return sorted(s.scalars(select(AuditEntry.actor).distinct()))


def verify(ctx: Ctx) -> ChainReport:
    """The chain check for the window and ``check`` (leaders and admins)."""
    ctx.require(Perm.AUDIT)
    with ctx.db.read() as s:
        return verify_chain(s)
