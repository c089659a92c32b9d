"""Sync, the hub's side: its public file, enrolling communes, importing their bundles,
acknowledging them, sending bundles down, and the view of every commune."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import select

from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import sync as commune_sync
from commune_desk.services.context import Ctx, Database
from commune_desk.services.sync_receive import Report, audit_import, identity_of, missing_for, receive
from commune_desk.store.base import utcnow
from commune_desk.store.models import ChangeLog
from commune_desk.store.models.sync import (
    SyncConflict,
    SyncIncoming,
    SyncOutgoing,
    SyncPeer,
    SyncRelay,
    SyncTransport,
)
from commune_desk.sync import ack as ack_mod
from commune_desk.sync import bundle, exporter, keys, records, schema
from commune_desk.sync.transport import installation_short

Progress = Callable[[int, int], None]


ENTITY_LABELS = {
    "dossier": N_("hồ sơ"), "dossier_event": N_("bước xử lý hồ sơ"), "rating": N_("đánh giá"),
    "procedure": N_("thủ tục"), "calendar_day": N_("ngày nghỉ, ngày làm bù"), "staff": N_("cán bộ"),
    "course": N_("khóa bồi dưỡng"), "training_session": N_("buổi học"), "enrolment": N_("học viên"),
    "attendance": N_("điểm danh"), "assessment": N_("kết quả bồi dưỡng"), "certificate": N_("chứng chỉ"),
    "audit_entry": N_("nhật ký kiểm tra"),
}
CONFLICT_LABELS = {
    "both_changed": N_("Sửa ở cả hai nơi"), "same_version": N_("Hai bản cùng phiên bản"),
    "code_collision": N_("Trùng mã"), "owner": N_("Khác đơn vị sở hữu"), "reference": N_("Khác danh mục"),
    "rejected": N_("Bị từ chối"), "delete_blocked": N_("Không xóa được"),
    "relay_step": N_("Bước của đơn vị khác không áp dụng được"),
}
# Conflicts about a step already in the history: there is no other version to put in.
KEEP_ONLY = {"relay_step"}


def entity_label(name: str) -> str:
    return _(ENTITY_LABELS[name]) if name in ENTITY_LABELS else name


def conflict_label(kind: str) -> str:
    return _(CONFLICT_LABELS[kind]) if kind in CONFLICT_LABELS else kind


def preview_text(reports: list[Report]) -> str:
    """"Sẽ tạo 120 hồ sơ, cập nhật 8, 2 xung đột" for a dry run of several bundles."""
    created = sum(r.created.get("dossier", 0) for r in reports)
    other = sum(sum(r.created.values()) for r in reports) - created
    updated = sum(r.totals.get("updated", 0) for r in reports)
    conflicts = sum(r.totals.get("conflicts", 0) for r in reports)
    rejected = sum(r.totals.get("rejected", 0) for r in reports)
    text = _("Sẽ tạo {n} hồ sơ, cập nhật {u}, {c} xung đột.").format(n=created, u=updated, c=conflicts)
    if other:
        text += " " + _("Thêm {n} bản ghi khác (lịch sử xử lý, đánh giá, bồi dưỡng…).").format(n=other)
    if rejected:
        text += " " + _("{n} bản ghi sẽ bị từ chối.").format(n=rejected)
    return text


def _require_hub(ctx: Ctx) -> None:
    ctx.require(Perm.HUB)
    if not ctx.db.require_office().is_hub:
        raise KnownError(_("Việc này dành cho cấp trên; ở đơn vị cấp xã hãy dùng các lệnh 'sync'."))


# -- invite and enrolment ----------------------------------------------------------------------

@dataclass(frozen=True)
class InviteResult:
    path: Path
    fingerprint: str
    webdav_url: str | None


def check_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("Địa chỉ WebDAV phải bắt đầu bằng http:// hoặc https://."), field="webdav_url")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def invite(ctx: Ctx, out: Path | str, *, webdav_url: str | None = None, webdav_user: str | None = None) -> InviteResult:
    """The hub's public file: its name, public keys and WebDAV address, for the communes."""
    _require_hub(ctx)
    url = check_url(webdav_url)
    office = ctx.db.require_office()
    identity = identity_of(ctx.db)
    if url:
        with ctx.db.write(capture_changes=False) as s:
            transport = s.get(SyncTransport, 1) or SyncTransport(id=1, failures=0)
            transport.kind, transport.url = "webdav", url
            transport.username = webdav_user or transport.username
            s.add(transport)
    data = keys.public_card(identity, office_code=office.office_code, office_name=office.office_name,
                            fmt=keys.INVITE_FORMAT, extra={"role": "hub", "webdav_url": url})
    path = commune_sync.write_file(Path(out), data)
    return InviteResult(path, identity.fingerprint, url)


def read_request(data: bytes) -> keys.Card:
    card = keys.read_card(data, keys.REQUEST_FORMAT)
    if card.body.get("role") != "commune":
        raise ValidationError(_("Tệp này không phải yêu cầu đăng ký của đơn vị cấp xã."), field="request")
    return card


@dataclass(frozen=True)
class EnrolOutcome:
    status: str           # enrolled | already
    office_code: str
    office_name: str
    fingerprint: str
    message: str


def enroll(ctx: Ctx, data: bytes, *, fingerprint: str | None = None,
           confirm: Callable[[keys.Card], bool] | None = None) -> EnrolOutcome:
    """Accept a commune's request after the fingerprint was compared on the phone:
    ``fingerprint`` accepts when it matches and refuses when not; otherwise ``confirm``
    (the person at the hub) decides."""
    _require_hub(ctx)
    card = read_request(data)
    me = identity_of(ctx.db)
    if str(card.body.get("hub_installation_id")) != str(me.installation_id):
        raise KnownError(_("Yêu cầu này gửi cho một cấp trên khác (không phải máy này)."))
    if fingerprint is not None:
        if not keys.same_fingerprint(fingerprint, card.fingerprint):
            raise KnownError(_("Dấu vân tay không khớp: yêu cầu của {name} có dấu vân tay {fp}. Không đăng ký; hãy gọi "
                               "lại cho đơn vị để đối chiếu.").format(name=card.office_name, fp=card.fingerprint))
    elif confirm is None or not confirm(card):
        raise KnownError(_("Chưa đăng ký {name}: dấu vân tay chưa được xác nhận.").format(name=card.office_name))
    with ctx.db.write(capture_changes=False) as s:
        existing = s.scalars(select(SyncPeer).where(SyncPeer.installation_id == card.installation_id)).first()
        if existing is not None:
            if bytes(existing.sign_public) != card.sign_public or bytes(existing.box_public) != card.box_public:
                raise KnownError(_("Máy này của {name} đã đăng ký với khóa khác; không thay khóa khi chưa xác minh.")
                                 .format(name=card.office_name))
            existing.active = True
            return EnrolOutcome("already", card.office_code, card.office_name, card.fingerprint,
                                _("{name} ({code}) đã được đăng ký trước đó.").format(name=card.office_name,
                                                                                     code=card.office_code))
        s.add(SyncPeer(role="commune", office_code=card.office_code, office_name=card.office_name,
                       installation_id=card.installation_id, sign_public=card.sign_public,
                       box_public=card.box_public, fingerprint=card.fingerprint, enrolled_at=utcnow(),
                       enrolled_by=ctx.actor.username, active=True, last_seq_in=0, down_change_seq=0,
                       down_relay_id=0))
    return EnrolOutcome("enrolled", card.office_code, card.office_name, card.fingerprint,
                        _("Đã đăng ký {name} ({code}).").format(name=card.office_name, code=card.office_code))


# -- import ------------------------------------------------------------------------------------

@dataclass
class ImportRun:
    reports: list[Report] = field(default_factory=list)
    acks: list[Path] = field(default_factory=list)

    def flat(self) -> list[Report]:
        out = []
        for r in self.reports:
            out.append(r)
            out.extend(r.then_applied)
        return out


def bundle_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files named on the command line; a folder means every bundle in it (sorted)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob(f"*{bundle.SUFFIX}") if x.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise NotFound(_("Không tìm thấy tệp {path}.").format(path=p))
    return out


def import_paths(ctx: Ctx, paths: Iterable[Path | str], *, dry_run: bool = False,
                 progress: Progress | None = None, write_acks: bool = True) -> ImportRun:
    """Import bundle files (in name order: a commune's bundles then arrive in sequence).
    Writes each commune's acknowledgement next to its bundles (or in the data folder)."""
    _require_hub(ctx)
    files = bundle_files(paths)
    run = ImportRun()
    ack_places: dict[int, Path] = {}
    for path in sorted(files, key=lambda p: p.name):
        data = commune_sync.read_file(path)
        report = receive(ctx.db, data, file_name=path.name, dry_run=dry_run, progress=progress)
        if not dry_run:
            audit_import(ctx, report, str(path.parent))
        run.reports.append(report)
        if report.peer_id is not None:
            ack_places.setdefault(report.peer_id, path.parent)
    if write_acks and not dry_run:
        for peer_id, folder in ack_places.items():
            rejected = [r for r in run.flat() if r.peer_id == peer_id and r.status in ("refused", "clone")]
            run.acks.append(write_ack(ctx.db, peer_id, folder, rejected))
    return run


def make_ack(db: Database, peer_id: int, rejected: list[Report] | None = None) -> bytes:
    identity = identity_of(db)
    held, missing = missing_for(db, peer_id)
    with db.read() as s:
        peer = s.get(SyncPeer, peer_id)
    body = ack_mod.Ack(from_installation=identity.installation_id, to_installation=peer.installation_id,
                       office_code=peer.office_code, applied_through=peer.last_seq_in,
                       applied_hash=peer.last_hash_in, held=held, missing=missing,
                       rejected=[{"seq": r.seq, "reason": r.message} for r in (rejected or []) if r.seq])
    return ack_mod.make(identity, body)


def ack_file_name(peer: SyncPeer) -> str:
    return f"ack-{peer.office_code}-{installation_short(peer.installation_id)}{ack_mod.SUFFIX}"


def write_ack(db: Database, peer_id: int, folder: Path, rejected: list[Report] | None = None) -> Path:
    data = make_ack(db, peer_id, rejected)
    with db.read() as s:
        peer = s.get(SyncPeer, peer_id)
    name = ack_file_name(peer)
    try:
        return commune_sync.write_file(Path(folder) / name, data)
    except KnownError:  # a read-only folder: keep it in the data folder
        return commune_sync.write_file(db.data_dir / "sync" / "acks" / name, data)


# -- going down --------------------------------------------------------------------------------

def _down_tables() -> list[str]:
    return [ts.name for ts in schema.synced_specs() if ts.down]


def make_downstream(db: Database, peer_id: int) -> commune_sync.BundleInfo | None:
    """A new bundle for one commune installation: the hub's own catalog and calendar rows
    changed since the last one (all of them the first time), and the records of other
    offices relayed to it. None when there is nothing new."""
    office = db.require_office()
    with commune_sync._bundle_lock:
        with db.read() as s:
            peer = s.get(SyncPeer, peer_id)
            conn = s.connection()
            down = _down_tables()
            first = s.scalar(select(sa.func.count()).select_from(SyncOutgoing)
                             .where(SyncOutgoing.peer_id == peer_id)) == 0
            top_change = int(s.scalar(select(sa.func.max(ChangeLog.seq))) or 0)
            changes: list[tuple[str, Any, str, int]] = []
            if not first:
                changes = [(c.entity, c.record_id, c.op, c.version) for c in s.execute(
                    select(ChangeLog.entity, ChangeLog.record_id, ChangeLog.op, ChangeLog.version)
                    .where(ChangeLog.seq > peer.down_change_seq, ChangeLog.entity.in_(down))
                    .order_by(ChangeLog.seq))]
            relays = s.execute(select(SyncRelay.id, SyncRelay.entity, SyncRelay.record_id)
                               .where(SyncRelay.target_office == peer.office_code,
                                      SyncRelay.id > peer.down_relay_id).order_by(SyncRelay.id)).all()
            top_relay = max((r.id for r in relays), default=peer.down_relay_id)
            changes += [(r.entity, r.record_id, "upsert", 0) for r in relays]
            collected = records.Body()
            if first:
                exporter.collect_all(conn, down, where_office=office.office_code, body=collected)
            exporter.collect(conn, changes, body=collected)
            collected = exporter.ordered(collected)

        def advance(arg: Any) -> None:
            s, _seq = arg
            row = s.get(SyncPeer, peer_id)
            row.down_change_seq, row.down_relay_id = top_change, top_relay

        if not collected.counts():
            with db.write(capture_changes=False) as s:
                advance((s, 0))
            return None
        inst = installation_short(peer.installation_id)
        return commune_sync.write_bundle(db, peer, kind="down", collected=collected, change_count=len(changes),
                                         change_range=None, file_stem=f"{office.office_code}-to-{peer.office_code}-{inst}",
                                         on_commit=advance)


def _peers_of(db: Database, office_code: str) -> list[SyncPeer]:
    with db.read() as s:
        peers = s.scalars(select(SyncPeer).where(SyncPeer.role == "commune", SyncPeer.office_code == office_code,
                                                 SyncPeer.active.is_(True))).all()
    if not peers:
        raise NotFound(_("Đơn vị {code} chưa đăng ký với cấp trên.").format(code=office_code))
    return list(peers)


def unacked_downstream(db: Database, peer_id: int) -> list[commune_sync.BundleInfo]:
    return [b for b in reversed(commune_sync.list_bundles(db, peer_id)) if b.status != "acked"]


@dataclass
class DownExport:
    files: list[Path] = field(default_factory=list)
    message: str = ""


def export(ctx: Ctx, office_code: str, out_dir: Path | str) -> DownExport:
    """``hub export --office CODE --out DIR``: new downstream bundles for that commune plus
    those it has not yet acknowledged, copied into ``out_dir``."""
    _require_hub(ctx)
    db = ctx.db
    out = Path(out_dir)
    result = DownExport()
    ids = []
    for peer in _peers_of(db, office_code):
        make_downstream(db, peer.id)
        for info in unacked_downstream(db, peer.id):
            result.files.append(commune_sync.write_file(out / info.file_name, info.path.read_bytes()))
            ids.append(info.seq)
        result.files.append(write_ack(db, peer.id, out))
    with db.write(capture_changes=False) as s:
        for row in s.scalars(select(SyncOutgoing).join(SyncPeer).where(SyncPeer.office_code == office_code,
                                                                        SyncOutgoing.status.in_(("pending", "failed")))):
            row.status, row.sent_at, row.sent_via, row.sent_to = "sent", utcnow(), "folder", str(out)
    bundles = [f for f in result.files if f.suffix == bundle.SUFFIX]
    result.message = _("Đã ghi {n} gói và tệp xác nhận cho đơn vị {code} vào {folder}.").format(
        n=len(bundles), code=office_code, folder=out)
    return result


# -- the hub's view ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneRow:
    peer_id: int
    office_code: str
    office_name: str
    installation: str
    fingerprint: str
    enrolled_at: datetime
    last_seq: int
    last_bundle_at: datetime | None
    held: list[int]
    missing: list[int]
    open_conflicts: int
    records: dict[str, int]
    stale: bool
    days_since: int | None
    alarm: str | None


def record_counts(db: Database) -> dict[str, dict[str, int]]:
    """office code -> table -> rows (one GROUP BY per synced table)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with db.read() as s:
        for ts in schema.synced_specs():
            t = ts.raw(db.engine.dialect.name)
            for code, n in s.execute(select(t.c.office_code, sa.func.count()).group_by(t.c.office_code)):
                out[code][ts.name] = int(n)
    return out


def status(ctx: Ctx) -> list[CommuneRow]:
    _require_hub(ctx)
    db = ctx.db
    stale_days = int(db.setting("sync.stale_days"))
    now = utcnow()
    counts = record_counts(db)
    with db.read() as s:
        peers = s.scalars(select(SyncPeer).where(SyncPeer.role == "commune").order_by(SyncPeer.office_code)).all()
        conflicts = dict(s.execute(select(SyncConflict.peer_id, sa.func.count()).where(SyncConflict.status == "open")
                                   .group_by(SyncConflict.peer_id)).all())
    rows = []
    for p in peers:
        held, missing = missing_for(db, p.id)
        since = (now - p.last_bundle_at).days if p.last_bundle_at else None
        rows.append(CommuneRow(
            peer_id=p.id, office_code=p.office_code, office_name=p.office_name,
            installation=installation_short(p.installation_id), fingerprint=p.fingerprint,
            enrolled_at=p.enrolled_at, last_seq=p.last_seq_in, last_bundle_at=p.last_bundle_at, held=held,
            missing=missing, open_conflicts=int(conflicts.get(p.id, 0)), records=counts.get(p.office_code, {}),
            stale=p.last_bundle_at is None or now - p.last_bundle_at > timedelta(days=stale_days),
            days_since=since, alarm=p.alarm))
    return rows


def recent_imports(db: Database, peer_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    with db.read() as s:
        stmt = select(SyncIncoming, SyncPeer.office_name).join(SyncPeer).order_by(SyncIncoming.id.desc()).limit(limit)
        if peer_id is not None:
            stmt = stmt.where(SyncIncoming.peer_id == peer_id)
        return [{"seq": r.seq, "office": name, "status": r.status, "received_at": r.received_at,
                 "applied_at": r.applied_at, "file_name": r.file_name, "summary": r.summary or {}}
                for r, name in s.execute(stmt)]


# -- conflicts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictInfo:
    id: int
    office: str | None
    entity: str
    record_id: str
    kind: str
    reason: str
    local_row: dict | None
    incoming_row: dict | None
    detected_at: datetime
    status: str
    resolution: str | None


def conflicts(ctx: Ctx, *, status: str | None = "open", limit: int = 500) -> list[ConflictInfo]:
    ctx.require(Perm.SYNC if not ctx.db.require_office().is_hub else Perm.HUB)
    with ctx.db.read() as s:
        stmt = select(SyncConflict, SyncPeer.office_name).outerjoin(SyncPeer).order_by(SyncConflict.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(SyncConflict.status == status)
        return [ConflictInfo(c.id, name, c.entity, c.record_id, c.kind, c.reason, c.local_row, c.incoming_row,
                             c.detected_at, c.status, c.resolution) for c, name in s.execute(stmt)]


def resolve_conflict(ctx: Ctx, conflict_id: int, *, use_incoming: bool = False) -> None:
    """A person decided: keep what is in the table (default), or put the other version in."""
    ctx.require(Perm.SYNC if not ctx.db.require_office().is_hub else Perm.HUB)
    with ctx.db.write(capture_changes=False) as s:
        c = s.get(SyncConflict, conflict_id)
        if c is None:
            raise NotFound(_("Không tìm thấy xung đột số {id}.").format(id=conflict_id))
        if c.status != "open":
            raise KnownError(_("Xung đột này đã được xử lý."))
        if use_incoming and c.kind in KEEP_ONLY:
            raise KnownError(_("Bước này đã có trong lịch sử hồ sơ và không thể áp dụng lên trạng thái hiện tại; "
                               "nếu cần, hãy thực hiện bước phù hợp trên chính hồ sơ."))
        if use_incoming:
            ts = schema.spec(c.entity)
            if ts is None or not c.incoming_row or c.kind == "rejected" and "id" not in (c.incoming_row or {}):
                raise KnownError(_("Không thể dùng bản này: bản ghi không hợp lệ."))
            _put_row(s.connection(), ts, c.incoming_row, c.local_row)
        c.status, c.resolution = "resolved", ("incoming" if use_incoming else "kept")
        c.resolved_at, c.resolved_by = utcnow(), ctx.actor.username


def _put_row(conn: Any, ts: schema.TableSpec, row: dict[str, Any], local: dict[str, Any] | None) -> None:
    from sqlalchemy.exc import IntegrityError

    conv = ts.to_native(conn.dialect.name)
    defaults = schema.column_defaults(ts, conn.dialect.name)
    target_id = (local or {}).get("id") or row["id"]
    values = dict(zip(ts.columns, schema.payload_to_native(conv, {**row, "id": target_id}, defaults), strict=True))
    if local:
        values["version"] = max(int(local.get("version") or 0), int(row.get("version") or 0)) + 1
    shadow = ts.raw(conn.dialect.name)
    try:
        with conn.begin_nested():
            exists = conn.execute(select(shadow.c.id).where(shadow.c.id == values["id"])).first()
            if exists:
                conn.execute(sa.update(shadow).where(shadow.c.id == values["id"]).values(values))
            else:
                conn.execute(sa.insert(shadow).values(values))
    except IntegrityError as exc:
        raise KnownError(_("Không dùng được bản này: nó vẫn trùng hoặc thiếu bản ghi liên quan ({error}).")
                         .format(error=str(exc.orig).splitlines()[0])) from exc


def peer_by_installation(db: Database, installation: uuid.UUID) -> SyncPeer | None:
    with db.read() as s:
        return s.scalars(select(SyncPeer).where(SyncPeer.installation_id == installation)).first()
