"""Sync, the commune's side: trust a hub, make bundles, hand them over (folder or WebDAV),
read the hub's acknowledgements and import what the hub sends down.

Nothing leaves the outbox before it is acknowledged: change-log entries carry the number of
the bundle that took them (``bundle_seq``) and become ``acked`` only when a signed
acknowledgement says that bundle was applied; the bundle file stays in the data folder's
``sync/outbox`` until then, so it can be sent again byte for byte.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import audit
from commune_desk.services.context import Ctx, Database
from commune_desk.services.sync_receive import Report, audit_import, identity_of, receive
from commune_desk.store.base import utcnow
from commune_desk.store.models import AuditEntry, ChangeLog
from commune_desk.store.models.sync import SyncOutgoing, SyncPeer, SyncTransport
from commune_desk.sync import ack as ack_mod
from commune_desk.sync import bundle, exporter, keys, records
from commune_desk.sync.transport import installation_short

Progress = Callable[[int, int], None]
_bundle_lock = threading.Lock()  # one bundle at a time per process (window worker + button)


# -- small shared helpers --------------------------------------------------------------------

def outbox_dir(db: Database) -> Path:
    folder = db.data_dir / "sync" / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_file(path: Path | str) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(_("Không tìm thấy tệp {path}.").format(path=path)) from exc
    except OSError as exc:
        raise KnownError(_("Không đọc được tệp {path}: {error}").format(path=path, error=exc.strerror)) from exc


def write_file(path: Path, data: bytes) -> Path:
    """Write atomically (a pulled USB stick leaves either the old file or the new one)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise KnownError(_("Không ghi được tệp {path}: {error}").format(path=path, error=exc.strerror)) from exc
    return path


def schema_revision() -> str:
    from commune_desk.store import migrate

    return migrate.head_revision()


def hub_peer(db: Database) -> SyncPeer | None:
    with db.read() as s:
        return s.scalars(select(SyncPeer).where(SyncPeer.role == "hub", SyncPeer.active.is_(True))).first()


def _require_commune(ctx: Ctx) -> None:
    ctx.require(Perm.SYNC)
    if ctx.db.require_office().is_hub:
        raise KnownError(_("Việc này dành cho đơn vị cấp xã; ở cấp trên hãy dùng các lệnh 'hub'."))


def _require_hub_peer(db: Database) -> SyncPeer:
    peer = hub_peer(db)
    if peer is None:
        raise KnownError(_("Đơn vị chưa đăng ký với cấp trên. Hãy nhận tệp của cấp trên rồi chạy "
                           "'commune-desk sync enroll TỆP --out TỆP_YÊU_CẦU'."))
    return peer


# -- enrolment -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EnrolResult:
    hub_name: str
    hub_code: str
    hub_fingerprint: str
    my_fingerprint: str
    request_path: Path
    webdav_url: str | None


def read_invite(data: bytes) -> keys.Card:
    return keys.read_card(data, keys.INVITE_FORMAT)


def enroll(ctx: Ctx, hub_file: Path | str, out: Path | str, *, webdav_user: str | None = None) -> EnrolResult:
    """Trust the hub named in ``hub_file`` and write this office's enrolment request."""
    _require_commune(ctx)
    card = read_invite(read_file(hub_file))
    if card.body.get("role") != "hub":
        raise ValidationError(_("Tệp này không phải tệp giới thiệu của cấp trên."), field="hub_file")
    office = ctx.db.require_office()
    identity = identity_of(ctx.db)
    webdav_url = card.body.get("webdav_url") or None
    with ctx.db.write(capture_changes=False) as s:
        current = s.scalars(select(SyncPeer).where(SyncPeer.role == "hub")).all()
        for peer in current:
            if peer.installation_id == card.installation_id:
                if bytes(peer.sign_public) != card.sign_public or bytes(peer.box_public) != card.box_public:
                    raise KnownError(_("Cấp trên này đã được tin cậy với khóa khác; tệp mới không khớp. "
                                       "Hãy hỏi lại cấp trên."))
                continue
            sent = s.scalar(select(sa.func.count()).select_from(SyncOutgoing).where(SyncOutgoing.peer_id == peer.id))
            if sent:
                raise KnownError(_("Đơn vị đã gửi dữ liệu cho cấp trên {name}; không thể đổi sang cấp trên khác.")
                                 .format(name=peer.office_name))
            s.delete(peer)
        peer = next((p for p in current if p.installation_id == card.installation_id), None)
        if peer is None:
            s.flush()
            s.add(SyncPeer(role="hub", office_code=card.office_code, office_name=card.office_name,
                           installation_id=card.installation_id, sign_public=card.sign_public,
                           box_public=card.box_public, fingerprint=card.fingerprint, webdav_url=webdav_url,
                           enrolled_at=utcnow(), enrolled_by=ctx.actor.username, active=True,
                           last_seq_in=0, down_change_seq=0, down_relay_id=0))
        transport = s.get(SyncTransport, 1) or SyncTransport(id=1, kind="folder", failures=0)
        if webdav_url:
            transport.kind, transport.url = "webdav", webdav_url
            transport.username = webdav_user or transport.username or office.office_code
        s.add(transport)
    request = keys.public_card(identity, office_code=office.office_code, office_name=office.office_name,
                               fmt=keys.REQUEST_FORMAT,
                               extra={"role": "commune", "hub_installation_id": str(card.installation_id),
                                      "reception_point": office.reception_point})
    path = write_file(Path(out), request)
    return EnrolResult(card.office_name, card.office_code, card.fingerprint, identity.fingerprint, path, webdav_url)


# -- making bundles (both sides) ------------------------------------------------------------

@dataclass(frozen=True)
class BundleInfo:
    """A bundle made here, for the window and the command line."""

    seq: int
    file_name: str
    path: Path
    created_at: datetime
    change_count: int
    record_count: int
    counts: dict[str, int]
    size_bytes: int
    part_count: int
    status: str
    sent_at: datetime | None
    sent_via: str | None
    sent_to: str | None
    acked_at: datetime | None
    error: str | None


def _info(db: Database, row: SyncOutgoing) -> BundleInfo:
    return BundleInfo(row.seq, row.file_name, outbox_dir(db) / row.file_name, row.created_at, row.change_count,
                      row.record_count, dict(row.counts or {}), row.size_bytes, row.part_count, row.status, row.sent_at,
                      row.sent_via, row.sent_to, row.acked_at, row.error)


def _next_bundle(s: Any, peer_id: int) -> tuple[int, str | None, dict[str, Any] | None]:
    """(number, hash of the previous one, our acknowledgement of the peer's bundles)."""
    last = s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer_id)
                     .order_by(SyncOutgoing.seq.desc()).limit(1)).first()
    me = s.get(SyncPeer, peer_id)
    down_ack = {"seq": me.last_seq_in, "hash": me.last_hash_in} if me.last_seq_in else None
    return ((last.seq + 1) if last else 1), (last.bundle_hash if last else None), down_ack


def _seal(db: Database, peer: SyncPeer, *, kind: str, collected: records.Body, seq: int, prev_hash: str | None,
          down_ack: dict[str, Any] | None, change_count: int, change_range: tuple[int, int] | None,
          file_stem: str) -> tuple[SyncOutgoing, Path]:
    """Sign, encrypt and write one bundle into the outbox; returns its (unsaved) record and file."""
    office = db.require_office()
    counts = collected.counts()
    header = {"kind": kind, "schema": schema_revision(), "office_code": office.office_code,
              "office_name": office.office_name, "seq": seq, "prev_hash": prev_hash,
              "counts": dict(counts), "changes": change_count,
              "change_range": list(change_range) if change_range else None, "down_ack": down_ack}
    built = bundle.build(identity_of(db), body=records.encode(collected), recipient_installation=peer.installation_id,
                         recipient_box_public=bytes(peer.box_public), header=header,
                         part_size=int(db.setting("sync.part_size_bytes")))
    name = f"{file_stem}-{seq:06d}{bundle.SUFFIX}"
    path = write_file(outbox_dir(db) / name, built.data)
    row = SyncOutgoing(peer_id=peer.id, seq=seq, bundle_hash=built.bundle_hash, prev_hash=prev_hash,
                       file_name=name, size_bytes=len(built.data), part_count=len(built.part_offsets),
                       change_count=change_count, record_count=sum(counts.values()),
                       first_change_seq=change_range[0] if change_range else None,
                       last_change_seq=change_range[1] if change_range else None,
                       counts=dict(counts), created_at=utcnow(), status="pending")
    return row, path


def write_bundle(db: Database, peer: SyncPeer, *, kind: str, collected: records.Body,
                 change_count: int, change_range: tuple[int, int] | None, file_stem: str,
                 on_commit: Callable[[Any], None] | None = None) -> BundleInfo:
    """Sign, encrypt and store one bundle in the outbox, then record it (the file is written
    first: if the process dies before the record commits, the orphan file is never sent)."""
    with db.read() as s:
        seq, prev_hash, down_ack = _next_bundle(s, peer.id)
    row, path = _seal(db, peer, kind=kind, collected=collected, seq=seq, prev_hash=prev_hash, down_ack=down_ack,
                      change_count=change_count, change_range=change_range, file_stem=file_stem)
    try:
        with db.write(capture_changes=False) as s:
            s.add(row)
            s.flush()
            if on_commit:
                on_commit((s, seq))
            info = _info(db, row)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return info


def _clean_orphans(db: Database) -> None:
    with db.read() as s:
        known = set(s.scalars(select(SyncOutgoing.file_name)))
    for path in outbox_dir(db).glob(f"*{bundle.SUFFIX}"):
        if path.name not in known:
            path.unlink(missing_ok=True)
    for path in outbox_dir(db).glob("*.tmp"):
        path.unlink(missing_ok=True)


def pending_change_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(sa.func.count()).select_from(ChangeLog).where(ChangeLog.bundle_seq.is_(None))) or 0)


def make_bundle(ctx: Ctx, progress: Progress | None = None, *, destination: str | None = None) -> BundleInfo | None:
    """A new bundle with every change not yet in a bundle (None when there is none).

    Making it is an export of citizens' records, so it is audited, and the audit entry (who,
    the bundle's number and counts, ``destination``) travels INSIDE the bundle it describes:
    the entry, its change-log row, the bundle's record and the numbering of the changes it
    carries commit together (or not at all, and the file is removed). No change is left
    pending by the export itself, so exporting again with no new work makes no bundle, and
    the hub receives the commune's chain with no gap. Only the cheap part runs under the
    write lock: the changes are gathered before, from the same committed state.
    """
    _require_commune(ctx)
    db = ctx.db
    peer = _require_hub_peer(db)
    office = db.require_office()
    with _bundle_lock:
        _clean_orphans(db)
        with db.read() as s:
            changes = s.execute(select(ChangeLog.seq, ChangeLog.entity, ChangeLog.record_id, ChangeLog.op,
                                       ChangeLog.version).where(ChangeLog.bundle_seq.is_(None))
                                .order_by(ChangeLog.seq)).all()
            if not changes:
                return None
            if progress:
                progress(0, len(changes))
            collected = exporter.collect(s.connection(), ((c.entity, c.record_id, c.op, c.version) for c in changes),
                                         owner=office.office_code)  # a relayed dossier goes back by its owner
        first, last = changes[0].seq, changes[-1].seq
        inst = installation_short(office.installation_id)
        path: Path | None = None
        try:
            with db.write() as s:  # changes captured: the audit entry gets its change-log row
                seq, prev_hash, down_ack = _next_bundle(s, peer.id)
                counts = dict(collected.counts())
                counts[AuditEntry.__tablename__] = counts.get(AuditEntry.__tablename__, 0) + 1
                entry = audit.record(s, ctx.actor, "sync.bundle", _("gói số {seq}").format(seq=seq),
                                     {"seq": seq, "changes": len(changes) + 1, "records": sum(counts.values()),
                                      "counts": counts, "to": destination or ""})
                s.flush()
                own = s.scalar(select(sa.func.max(ChangeLog.seq)).where(ChangeLog.record_id == entry.id))
                exporter.collect(s.connection(), [(AuditEntry.__tablename__, entry.id, "upsert", entry.version)],
                                 body=collected)
                row, path = _seal(db, peer, kind="up", collected=exporter.ordered(collected), seq=seq,
                                  prev_hash=prev_hash, down_ack=down_ack, change_count=len(changes) + 1,
                                  change_range=(first, own), file_stem=f"{office.office_code}-{inst}")
                s.add(row)
                s.execute(sa.update(ChangeLog).where(sa.or_(ChangeLog.seq <= last, ChangeLog.seq == own),
                                                     ChangeLog.bundle_seq.is_(None)).values(bundle_seq=seq))
                s.flush()
                info = _info(db, row)
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)
            raise
        if progress:
            progress(len(changes), len(changes))
        return info


def list_bundles(db: Database, peer_id: int | None = None) -> list[BundleInfo]:
    with db.read() as s:
        stmt = select(SyncOutgoing).order_by(SyncOutgoing.seq.desc())
        if peer_id is not None:
            stmt = stmt.where(SyncOutgoing.peer_id == peer_id)
        return [_info(db, r) for r in s.scalars(stmt)]


def parse_range(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", text)
    if not m:
        raise ValidationError(_("Khoảng số gói không hợp lệ: {text} (ví dụ 7-8).").format(text=text), field="bundles")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    return (min(a, b), max(a, b))


# -- export to a folder -----------------------------------------------------------------------

@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    new: BundleInfo | None = None
    folder: Path | None = None
    message: str = ""


def export(ctx: Ctx, out_dir: Path | str, *, bundles: str | None = None,
           progress: Progress | None = None) -> ExportResult:
    """Make a bundle of the new changes and copy it, with every bundle the hub has not yet
    acknowledged, into ``out_dir`` (a USB stick, a shared folder). ``bundles="7-8"`` copies
    only those (e.g. what an acknowledgement says is missing)."""
    _require_commune(ctx)
    db = ctx.db
    out = Path(out_dir)
    wanted = parse_range(bundles)
    peer = _require_hub_peer(db)
    if not out.exists():
        try:
            out.mkdir(parents=True)
        except OSError as exc:
            raise KnownError(_("Không tạo được thư mục {path}: {error}").format(path=out, error=exc.strerror)) from exc
    result = ExportResult(folder=out)
    if wanted is None:
        result.new = make_bundle(ctx, progress, destination=str(out))
    with db.read() as s:
        stmt = select(SyncOutgoing).where(SyncOutgoing.peer_id == peer.id).order_by(SyncOutgoing.seq)
        if wanted:
            stmt = stmt.where(SyncOutgoing.seq.between(*wanted))
        else:
            stmt = stmt.where(SyncOutgoing.status != "acked")
        rows = [(_info(db, r), r.id) for r in s.scalars(stmt)]
    if wanted and not rows:
        raise NotFound(_("Không có gói số {range} để chép lại.").format(range=bundles))
    copied = []
    for info, row_id in rows:
        if not info.path.exists():
            raise KnownError(_("Tệp của gói số {seq} không còn trong thư mục dữ liệu ({path}).")
                             .format(seq=info.seq, path=info.path))
        target = out / info.file_name
        write_file(target, info.path.read_bytes())
        result.files.append(target)
        copied.append(row_id)
    _mark_sent(db, copied, "folder", str(out))
    if not result.files:
        result.message = _("Không có thay đổi mới và mọi gói đều đã được cấp trên xác nhận; không có gì để chép.")
    else:
        seqs = ack_mod.ranges([i.seq for i, _r in rows])
        result.message = _("Đã chép {n} gói (số {seqs}) vào {folder}. Hãy mang tệp này lên cấp trên.") \
            .format(n=len(result.files), seqs=seqs, folder=out)
    return result


def _mark_sent(db: Database, ids: list[int], via: str, to: str) -> None:
    if not ids:
        return
    with db.write(capture_changes=False) as s:
        for row in s.scalars(select(SyncOutgoing).where(SyncOutgoing.id.in_(ids))):
            if row.status in ("pending", "failed", "sent"):
                row.status = "sent"
                row.error = None
            row.sent_at, row.sent_via, row.sent_to = utcnow(), via, to


# -- acknowledgements -------------------------------------------------------------------------

@dataclass
class AckResult:
    acked: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    resend: list[int] = field(default_factory=list)
    copied_to: Path | None = None
    message: str = ""


def apply_ack_bytes(ctx: Ctx, data: bytes, *, resend_dir: Path | None = None) -> AckResult:
    """Mark what the hub applied, note what it holds, and queue again what did not arrive."""
    _require_commune(ctx)
    db = ctx.db
    peer = _require_hub_peer(db)
    me = identity_of(db).installation_id
    ack = ack_mod.read(data, bytes(peer.sign_public), peer.installation_id, me)
    result = AckResult()
    rejected = {int(r.get("seq", 0)): str(r.get("reason", "")) for r in ack.rejected}
    with db.write(capture_changes=False) as s:
        rows = {r.seq: r for r in s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer.id))}
        top = rows.get(ack.applied_through)
        if ack.applied_through and (top is None or top.bundle_hash != ack.applied_hash):
            raise KnownError(_("Cấp trên xác nhận gói số {seq} nhưng không phải gói đơn vị này đã gửi. Có thể phần mềm "
                               "đã bị sao chép sang máy khác; hãy liên hệ cấp trên.").format(seq=ack.applied_through))
        now = utcnow()
        for seq, row in sorted(rows.items()):
            if seq <= ack.applied_through:
                if row.status != "acked":
                    row.status, row.acked_at, row.error = "acked", now, None
                    result.acked.append(seq)
            elif row.status == "acked":
                continue  # an older acknowledgement read late: it changes nothing
            elif seq in ack.held:
                row.status, row.error = "held", _("Cấp trên đang giữ gói này, chờ gói trước đó.")
                result.held.append(seq)
            else:
                row.status = "failed"
                row.error = rejected.get(seq) or _("Cấp trên chưa nhận được gói này; cần gửi lại.")
                result.resend.append(seq)
        if result.acked:
            s.execute(sa.update(ChangeLog).where(ChangeLog.bundle_seq <= ack.applied_through,
                                                 ChangeLog.acked.is_(False)).values(acked=True))
        acked_files = [rows[n].file_name for n in result.acked]
        resend_files = [rows[n].file_name for n in result.resend]
    for name in acked_files:
        (outbox_dir(db) / name).unlink(missing_ok=True)
    if resend_dir is not None and resend_files:
        try:
            for name in resend_files:
                write_file(Path(resend_dir) / name, (outbox_dir(db) / name).read_bytes())
            result.copied_to = Path(resend_dir)
        except (KnownError, OSError):
            result.copied_to = None
    parts = [_("Cấp trên đã nhận đủ đến gói số {n}.").format(n=ack.applied_through)]
    if result.held:
        parts.append(_("Đang giữ chờ: gói {seqs}.").format(seqs=ack_mod.ranges(result.held)))
    if result.resend:
        if result.copied_to:
            parts.append(_("Đã chép lại gói {seqs} vào {folder} để gửi lên.")
                         .format(seqs=ack_mod.ranges(result.resend), folder=result.copied_to))
        else:
            parts.append(_("Cần gửi lại gói {seqs} (sẽ được gửi kèm ở lần xuất hoặc đẩy tiếp theo).")
                         .format(seqs=ack_mod.ranges(result.resend)))
    result.message = " ".join(parts)
    return result


def apply_ack(ctx: Ctx, path: Path | str) -> AckResult:
    path = Path(path)
    return apply_ack_bytes(ctx, read_file(path), resend_dir=path.parent)


# -- downstream bundles -----------------------------------------------------------------------

def import_file(ctx: Ctx, path: Path | str, *, dry_run: bool = False, progress: Progress | None = None) -> Report:
    """A bundle the hub sent down (catalog, holidays, dossiers received elsewhere)."""
    _require_commune(ctx)
    path = Path(path)
    report = receive(ctx.db, read_file(path), file_name=path.name, dry_run=dry_run, progress=progress)
    audit_import(ctx, report, str(path.parent))
    return report


# -- status -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneStatus:
    hub_name: str | None
    hub_code: str | None
    hub_fingerprint: str | None
    my_fingerprint: str
    pending_changes: int
    bundles: list[BundleInfo]
    counts: dict[str, int]          # bundles per status
    transport: str
    transport_target: str | None
    last_ok_at: datetime | None
    last_error: str | None
    last_down_seq: int


def status(ctx: Ctx) -> CommuneStatus:
    _require_commune(ctx)
    db = ctx.db
    peer = hub_peer(db)
    bundles = list_bundles(db, peer.id) if peer else []
    counts: dict[str, int] = {}
    for b in bundles:
        counts[b.status] = counts.get(b.status, 0) + 1
    with db.read() as s:
        transport = s.get(SyncTransport, 1)
    return CommuneStatus(
        hub_name=peer.office_name if peer else None, hub_code=peer.office_code if peer else None,
        hub_fingerprint=peer.fingerprint if peer else None, my_fingerprint=identity_of(db).fingerprint,
        pending_changes=pending_change_count(db), bundles=bundles, counts=counts,
        transport=transport.kind if transport else "folder",
        transport_target=(transport.url or transport.folder) if transport else None,
        last_ok_at=transport.last_ok_at if transport else None,
        last_error=transport.last_error if transport else None,
        last_down_seq=peer.last_seq_in if peer else 0)


STATUS_LABELS = {
    "pending": N_("Chưa gửi"), "sent": N_("Đã gửi, chờ xác nhận"), "held": N_("Cấp trên đang giữ chờ gói trước"),
    "acked": N_("Cấp trên đã xác nhận"), "failed": N_("Lỗi"),
}


def status_label(code: str) -> str:
    return _(STATUS_LABELS.get(code, code))


