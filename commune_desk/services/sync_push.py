"""Moving bundles over a network (WebDAV) or a shared folder with the layout described in
``sync/transport.py``: ``sync push`` on a commune, ``hub pull`` on the hub. Both are safe to
run again at any time: a commune resumes an interrupted upload from the first part the
server does not have, and the hub imports each bundle with every check (the same bundle
twice changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.services.context import Ctx, Database
from commune_desk.services.sync_receive import Report, audit_import, receive
from commune_desk.store.base import utcnow
from commune_desk.store.models.sync import SyncOutgoing, SyncPeer, SyncTransport, SyncUpload
from commune_desk.sync import ack as ack_mod
from commune_desk.sync import bundle
from commune_desk.sync.transport import (
    ACK_NAME,
    DOWN,
    HEAD,
    UP,
    Folder,
    TransportError,
    WebDav,
    load_password,
    office_folder,
    part_name,
    save_password,
)

Progress = Callable[[int, int], None]
Transport = Folder | WebDav
RESEND_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class TransportConfig:
    kind: str
    url: str | None
    username: str | None
    folder: str | None
    last_ok_at: object
    last_error: str | None
    failures: int


def transport_config(db: Database) -> TransportConfig:
    with db.read() as s:
        t = s.get(SyncTransport, 1)
    if t is None:
        return TransportConfig("folder", None, None, None, None, None, 0)
    return TransportConfig(t.kind, t.url, t.username, t.folder, t.last_ok_at, t.last_error, t.failures or 0)


def password_known(cfg: TransportConfig) -> bool:
    """Whether the WebDAV password can be found without asking (keyring or environment)."""
    return not cfg.username or load_password(cfg.url or "", cfg.username) is not None


def configure(ctx: Ctx, *, kind: str, url: str | None = None, username: str | None = None,
              folder: str | None = None, password: str | None = None) -> bool:
    """Save how this installation reaches the other side. Returns True when the password
    went to the OS keyring (False: no keyring here; it will be asked, or read from
    COMMUNE_DESK_WEBDAV_PASSWORD)."""
    from commune_desk.domain.roles import Perm

    ctx.require(Perm.SYNC if not ctx.db.require_office().is_hub else Perm.HUB)
    if kind not in ("folder", "webdav"):
        raise KnownError(_("Cách gửi không hợp lệ: {kind}.").format(kind=kind))
    url = sync_hub.check_url(url) if kind == "webdav" else url
    if kind == "webdav" and not url:
        raise KnownError(_("Hãy nhập địa chỉ máy chủ WebDAV."))
    with ctx.db.write(capture_changes=False) as s:
        t = s.get(SyncTransport, 1) or SyncTransport(id=1, failures=0)
        t.kind = kind
        if url is not None:
            t.url = url
        if username is not None:
            t.username = username
        if folder is not None:
            t.folder = folder
        s.add(t)
    if kind == "webdav" and password and username:
        return save_password(url, username, password)
    return False


def open_transport(db: Database, *, password: str | None = None, folder: Path | str | None = None,
                   retries: int = 4, backoff: float = 1.0) -> Transport:
    """The configured transport (a folder given here wins)."""
    if folder is not None:
        return Folder(folder)
    cfg = transport_config(db)
    if cfg.kind == "webdav" and cfg.url:
        pw = password if password is not None else load_password(cfg.url, cfg.username or "")
        if cfg.username and pw is None:
            raise KnownError(_("Chưa có mật khẩu máy chủ WebDAV: máy này không có kho mật khẩu của hệ điều hành. "
                               "Hãy nhập mật khẩu (hoặc đặt biến môi trường COMMUNE_DESK_WEBDAV_PASSWORD)."))
        return WebDav(cfg.url, cfg.username, pw, retries=retries, backoff=backoff)
    if cfg.folder:
        return Folder(cfg.folder)
    raise KnownError(_("Chưa cấu hình máy chủ WebDAV hoặc thư mục dùng chung; hãy dùng 'sync export --out THƯ_MỤC' "
                       "để chép gói ra USB."))


def _note(db: Database, ok: bool, error: str | None = None) -> None:
    with db.write(capture_changes=False) as s:
        t = s.get(SyncTransport, 1) or SyncTransport(id=1, kind="folder", failures=0)
        t.last_attempt_at = utcnow()
        if ok:
            t.last_ok_at, t.last_error, t.failures = utcnow(), None, 0
        else:
            t.last_error, t.failures = error, (t.failures or 0) + 1
        s.add(t)


# -- commune: push ------------------------------------------------------------------------------

@dataclass
class PushResult:
    uploaded: list[int] = field(default_factory=list)
    parts_sent: int = 0
    parts_skipped: int = 0
    acks: list[commune_sync.AckResult] = field(default_factory=list)
    downstream: list[Report] = field(default_factory=list)
    new_bundle: int | None = None
    message: str = ""


def _done_parts(db: Database, outgoing_id: int, target: str) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(SyncUpload.part).where(SyncUpload.outgoing_id == outgoing_id,
                                                            SyncUpload.target == target)))


def _record_part(db: Database, outgoing_id: int, target: str, part: int, size: int) -> None:
    with db.write(capture_changes=False) as s:
        exists = s.scalars(select(SyncUpload).where(SyncUpload.outgoing_id == outgoing_id, SyncUpload.target == target,
                                                    SyncUpload.part == part)).first()
        if exists is None:
            s.add(SyncUpload(outgoing_id=outgoing_id, target=target, part=part, size_bytes=size, uploaded_at=utcnow()))


def upload_bundle(db: Database, t: Transport, folder: str, row_id: int, file_name: str,
                  progress: Progress | None = None) -> tuple[int, int]:
    """Upload one bundle part by part; the head goes last. Returns (sent, skipped) parts."""
    data = (commune_sync.outbox_dir(db) / file_name).read_bytes()
    head, parts = bundle.split(data)
    stem = file_name[: -len(bundle.SUFFIX)]
    base = f"{folder}/{UP}/{stem}"
    t.makedirs(base)
    done = _done_parts(db, row_id, t.label)
    try:  # what the server really has wins; our own record serves when it cannot list
        remote: dict[str, int | None] | None = {e.name: e.size for e in t.list(base)}
    except TransportError:
        remote = None
    sent = skipped = 0
    for i, piece in enumerate(parts, start=1):
        name = part_name(i)
        have = remote.get(name) == len(piece) if remote is not None else i in done
        if have:
            _record_part(db, row_id, t.label, i, len(piece))
            skipped += 1
        else:
            t.put(f"{base}/{name}", piece)
            _record_part(db, row_id, t.label, i, len(piece))
            sent += 1
        if progress:
            progress(i, len(parts) + 1)
    t.put(f"{base}/{HEAD}", head)
    _record_part(db, row_id, t.label, 0, len(head))
    if progress:
        progress(len(parts) + 1, len(parts) + 1)
    return sent, skipped


def push(ctx: Ctx, *, password: str | None = None, transport: Transport | None = None,
         progress: Progress | None = None) -> PushResult:
    """Make a bundle of new changes, upload every bundle the hub has not got yet, then take
    what the hub left in ``down/`` (acknowledgements, downstream bundles) and apply it."""
    commune_sync._require_commune(ctx)
    db = ctx.db
    peer = commune_sync._require_hub_peer(db)
    office = db.require_office()
    t = transport or open_transport(db, password=password)
    result = PushResult()
    try:
        t.ping()
        info = commune_sync.make_bundle(ctx, destination=t.label)
        result.new_bundle = info.seq if info else None
        folder = office_folder(office.office_code, office.installation_id)
        with db.read() as s:
            rows = s.execute(select(SyncOutgoing.id, SyncOutgoing.seq, SyncOutgoing.file_name, SyncOutgoing.status,
                                    SyncOutgoing.sent_via)
                             .where(SyncOutgoing.peer_id == peer.id, SyncOutgoing.status.in_(("pending", "failed", "sent")))
                             .order_by(SyncOutgoing.seq)).all()
        for row in rows:
            if row.status == "sent" and 0 in _done_parts(db, row.id, t.label):
                continue  # complete on this server; waiting for the hub's acknowledgement
            sent, skipped = upload_bundle(db, t, folder, row.id, row.file_name, progress)
            result.parts_sent += sent
            result.parts_skipped += skipped
            result.uploaded.append(row.seq)
            commune_sync._mark_sent(db, [row.id], "webdav" if isinstance(t, WebDav) else "folder", t.label)
        _take_down(ctx, t, folder, result)
    except (TransportError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KnownError) else str(exc)
        _note(db, False, message)
        _mark_failed(db, peer.id, message)
        raise TransportError(message) from exc
    _note(db, True)
    bits = []
    if result.uploaded:
        bits.append(_("Đã gửi gói {seqs} lên {target}.").format(seqs=ack_mod.ranges(result.uploaded), target=t.label))
    else:
        bits.append(_("Không có gói mới để gửi."))
    bits.extend(a.message for a in result.acks)
    bits.extend(r.message for r in result.downstream)
    result.message = " ".join(bits)
    return result


def _mark_failed(db: Database, peer_id: int, message: str) -> None:
    with db.write(capture_changes=False) as s:
        for row in s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer_id,
                                                        SyncOutgoing.status == "pending")):
            row.error = message


def _take_down(ctx: Ctx, t: Transport, folder: str, result: PushResult) -> None:
    for entry in t.list(f"{folder}/{DOWN}"):
        rel = f"{folder}/{DOWN}/{entry.name}"
        if entry.is_dir:
            continue
        if entry.name.endswith(ack_mod.SUFFIX):
            ack = commune_sync.apply_ack_bytes(ctx, t.get(rel))
            if ack.resend:
                _forget_uploads(ctx.db, ack.resend)
            result.acks.append(ack)
            t.delete(rel)
        elif entry.name.endswith(bundle.SUFFIX):
            report = receive(ctx.db, t.get(rel), file_name=entry.name)
            audit_import(ctx, report, t.label)
            result.downstream.append(report)
            t.delete(rel)


def _forget_uploads(db: Database, seqs: list[int]) -> None:
    """The hub never got these: the next push sends every part again."""
    with db.write(capture_changes=False) as s:
        ids = list(s.scalars(select(SyncOutgoing.id).where(SyncOutgoing.seq.in_(seqs))))
        s.execute(delete(SyncUpload).where(SyncUpload.outgoing_id.in_(ids)))


# -- hub: pull ----------------------------------------------------------------------------------

@dataclass
class PullResult:
    reports: list[Report] = field(default_factory=list)
    acks: int = 0
    downstream: list[str] = field(default_factory=list)
    message: str = ""


def _mark_down_sent(db: Database, peer_id: int, seq: int, t: Transport) -> None:
    with db.write(capture_changes=False) as s:
        row = s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer_id, SyncOutgoing.seq == seq)).one()
        row.status = "sent" if row.status != "acked" else row.status
        row.sent_at, row.sent_via, row.sent_to = utcnow(), "webdav" if isinstance(t, WebDav) else "folder", t.label


def _fetch(t: Transport, base: str, entry_name: str, is_dir: bool) -> bytes | None:
    """A bundle from ``up/``: a whole file, or head + parts once the head is there."""
    rel = f"{base}/{entry_name}"
    if not is_dir:
        return t.get(rel) if entry_name.endswith(bundle.SUFFIX) else None
    names = {e.name for e in t.list(rel)}
    if HEAD not in names:
        return None  # still uploading
    parts = sorted(n for n in names if n.startswith("part-"))
    return bundle.reassemble(t.get(f"{rel}/{HEAD}"), [t.get(f"{rel}/{n}") for n in parts])


def pull(ctx: Ctx, *, inbox: Path | str | None = None, password: str | None = None,
         progress: Progress | None = None) -> PullResult:
    """Import every complete bundle the communes left (WebDAV or inbox folder), leave each
    its acknowledgement and its downstream bundles in its ``down/`` folder."""
    sync_hub._require_hub(ctx)
    db = ctx.db
    t = open_transport(db, password=password, folder=inbox)
    result = PullResult()
    try:
        t.ping()
        with db.read() as s:
            peers = s.scalars(select(SyncPeer).where(SyncPeer.role == "commune", SyncPeer.active.is_(True))
                              .order_by(SyncPeer.office_code)).all()
        for peer in peers:
            folder = office_folder(peer.office_code, peer.installation_id)
            base = f"{folder}/{UP}"
            mine: list[Report] = []
            for entry in t.list(base):
                data = _fetch(t, base, entry.name, entry.is_dir)
                if data is None:
                    continue
                report = receive(db, data, file_name=entry.name, progress=progress)
                audit_import(ctx, report, t.label)
                mine.append(report)
                t.delete(f"{base}/{entry.name}")
            result.reports.extend(mine)
            flat = [r for m in mine for r in [m, *m.then_applied]]
            rejected = [r for r in flat if r.status in ("refused", "clone")]
            t.makedirs(f"{folder}/{DOWN}")
            t.put(f"{folder}/{DOWN}/{ACK_NAME}", sync_hub.make_ack(db, peer.id, rejected))
            result.acks += 1
            sync_hub.make_downstream(db, peer.id)
            present = {e.name for e in t.list(f"{folder}/{DOWN}")}
            resend_before = utcnow() - RESEND_AFTER
            for info in sync_hub.unacked_downstream(db, peer.id):
                # a bundle the commune took but has not acknowledged yet is left alone for a day
                fresh = info.status == "sent" and info.sent_at and info.sent_at > resend_before
                if info.file_name not in present and not fresh:
                    t.put(f"{folder}/{DOWN}/{info.file_name}", info.path.read_bytes())
                    result.downstream.append(info.file_name)
                    _mark_down_sent(db, peer.id, info.seq, t)
    except TransportError as exc:
        _note(db, False, exc.args[0])
        raise
    _note(db, True)
    applied = sum(1 for r in result.reports for x in [r, *r.then_applied] if x.status == "applied")
    result.message = _("Đã lấy {n} gói từ {target}: {applied} gói được nhập; đã để lại {acks} tệp xác nhận và "
                       "{down} gói gửi xuống.").format(n=len(result.reports), target=t.label, applied=applied,
                                                      acks=result.acks, down=len(result.downstream))
    return result
