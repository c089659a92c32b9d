"""Receiving a bundle, on either side: the hub importing a commune's bundle, or a commune
importing its hub's downstream bundle. Same checks in the same order:

1. the container is whole (magic, lengths, nothing missing, nothing extra);
2. the sender is an enrolled installation and the signature is its own;
3. the bundle is addressed to this installation, every part has its announced hash;
4. the schema is one this release knows (a newer one is refused);
5. the sequence: already imported (nothing changes), a clone (alarm), after a gap (held),
   or the next one (its ``prev_hash`` must be the hash of the last one applied);
6. the body decrypts, decompresses and matches the announced counts;
and only then it is applied, in one transaction, with a persisted summary. Bundles held
after a gap are applied automatically, in order, once the gap is filled.

Refused bundles write nothing at all (the reason is returned to the caller, who shows it
and puts it in the acknowledgement); a clone alarm is the one refusal that is recorded.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from commune_desk.i18n import _
from commune_desk.services import audit
from commune_desk.services.context import Ctx, Database
from commune_desk.store.base import utcnow
from commune_desk.store.models.sync import SyncHeld, SyncIncoming, SyncOutgoing, SyncPeer
from commune_desk.sync import bundle, importer, records
from commune_desk.sync.ack import ranges
from commune_desk.sync.bundle import BundleError
from commune_desk.sync.keys import Identity, ensure_identity, load_identity


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from commune_desk.store import migrate

    return frozenset(r.revision for r in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions())


def identity_of(db: Database) -> Identity:
    """This installation's keys (made now for a database set up before keys existed)."""
    with db.read() as s:
        identity = load_identity(s)
    if identity is None:
        with db.write(capture_changes=False) as s:
            identity = ensure_identity(s)
    return identity


@dataclass
class Report:
    """What happened to one bundle (shown, printed as JSON, put in the acknowledgement)."""

    status: str                       # applied | held | duplicate | clone | refused
    message: str
    file_name: str | None = None
    code: str | None = None           # why it was refused (BundleError.code)
    office_code: str | None = None
    office_name: str | None = None
    installation_id: str | None = None
    peer_id: int | None = None
    seq: int | None = None
    bundle_hash: str | None = None
    dry_run: bool = False
    totals: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    then_applied: list[Report] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "then_applied"}
        out["conflicts"] = self.conflicts[:200]
        out["rejected"] = self.rejected[:200]
        out["then_applied"] = [r.as_dict() for r in self.then_applied]
        return out


def _refused(exc: BundleError, file_name: str | None, **kw: Any) -> Report:
    return Report("refused", exc.reason, file_name=file_name, code=exc.code, **kw)


def receive(db: Database, data: bytes, *, file_name: str | None = None, dry_run: bool = False,
            progress: importer.Progress | None = None, _held_id: int | None = None) -> Report:
    """Verify, then apply (or hold) one bundle. Never raises for a bad bundle: the report says."""
    started = time.perf_counter()
    office = db.require_office()
    try:
        parsed = bundle.parse(data)
    except BundleError as exc:
        return _refused(exc, file_name)
    m = parsed.manifest
    identity = identity_of(db)
    with db.read() as s:
        try:
            installation = uuid.UUID(str(m.get("installation_id")))
        except ValueError:
            installation = None
        peer = s.scalars(select(SyncPeer).where(SyncPeer.installation_id == installation)).first() \
            if installation else None
    base = {"file_name": file_name, "installation_id": parsed.installation_id, "dry_run": dry_run}
    try:
        if peer is None or not peer.active:
            raise BundleError("unknown_office", _("Gói của một đơn vị chưa đăng ký ({code} {name}): hãy đăng ký "
                                                  "đơn vị trước khi nhập gói.")
                              .format(code=m.get("office_code", "?"), name=m.get("office_name", "")))
        base.update(office_code=peer.office_code, office_name=peer.office_name, peer_id=peer.id)
        expected_kind, expected_role = ("up", "commune") if office.is_hub else ("down", "hub")
        if peer.role != expected_role or m.get("kind") != expected_kind:
            raise BundleError("wrong_way", _("Gói này không dành cho loại đơn vị này (gói {kind}).")
                              .format(kind=m.get("kind")))
        bundle.check_signature(parsed, bytes(peer.sign_public))
        if str(m.get("recipient")) != str(identity.installation_id):
            raise BundleError("not_for_us", _("Gói này được gửi cho một máy khác, không phải máy này."))
        if str(m.get("office_code")) != peer.office_code:
            raise BundleError("damaged", _("Mã đơn vị trong gói không khớp với đơn vị đã đăng ký."))
        bundle.check_parts(parsed)
        if m.get("schema") not in known_revisions():
            raise BundleError("schema", _("Gói được tạo bởi phiên bản phần mềm mới hơn (lược đồ {rev}); hãy cập "
                                          "nhật phần mềm rồi nhập lại.").format(rev=m.get("schema")))
        if not isinstance(m.get("seq"), int) or m["seq"] < 1:
            raise BundleError("damaged", _("Phần mô tả của gói bị hỏng."))
    except BundleError as exc:
        return _refused(exc, **base)
    seq, bhash = parsed.seq, parsed.bundle_hash
    base.update(seq=seq, bundle_hash=bhash)
    verified = time.perf_counter()

    state = "next" if _held_id is not None else _sequence_state(db, peer.id, seq, bhash)
    name = peer.office_name
    if state == "already_held":
        return Report("duplicate", _("Gói số {seq} của {name} đã được nhận và đang chờ gói trước; không có gì thay "
                                     "đổi.").format(seq=seq, name=name), **base)
    if state == "duplicate":
        return Report("duplicate", _("Gói số {seq} của {name} đã được nhập trước đó; không có gì thay đổi.")
                      .format(seq=seq, name=name), **base)
    if state == "clone":
        if not dry_run:
            _record_clone(db, peer.id, parsed, file_name)
        return Report("clone", _("CẢNH BÁO: {name} đã gửi hai gói khác nhau cùng số {seq}. Có thể phần mềm của đơn vị "
                                 "đã bị sao chép sang máy khác, hoặc được khôi phục từ một bản sao lưu cũ. Gói bị từ "
                                 "chối; hãy liên hệ đơn vị.")
                      .format(name=name, seq=seq), code="clone", **base)

    # decrypt and read before any write (also for a bundle that will only be held)
    try:
        body = bundle.open_body(parsed, identity)
        content = records.decode(body)
    except BundleError as exc:
        return _refused(exc, **base)
    except ValueError:
        return _refused(BundleError("damaged", _("Nội dung của gói bị hỏng (không đọc được các bản ghi).")), **base)
    counts = content.counts()
    announced = m.get("counts") or {}
    if {k: v for k, v in counts.items()} != {k: v for k, v in announced.items() if v}:
        return _refused(BundleError("damaged", _("Số bản ghi trong gói không khớp với phần mô tả.")), **base)
    decrypted = time.perf_counter()

    if state == "held":
        missing = _missing_after_hold(db, peer.id, seq)
        if not dry_run and _held_id is None:
            _hold(db, peer.id, parsed, data, file_name)
        return Report("held", _("Thiếu gói số {missing} của {name}: gói số {seq} được giữ lại và sẽ tự được nhập khi nhận đủ.")
                      .format(seq=seq, name=name, missing=ranges(missing)), missing=missing, **base)

    timings = {"verify": round(verified - started, 3), "decrypt": round(decrypted - verified, 3)}
    report = _apply(db, peer.id, parsed, content, file_name=file_name, dry_run=dry_run, progress=progress,
                    held_id=_held_id, base=base, timings=timings, started=started)
    if report.code == "chain" and not dry_run:  # a fork of the chain: the same alarm as a clone
        _record_clone(db, peer.id, parsed, file_name)
    if report.status == "applied":
        report.timings["total"] = round(time.perf_counter() - started, 3)
        if not dry_run:
            report.then_applied = _apply_held(db, peer.id, progress)
    return report


def _sequence_state(db: Database, peer_id: int, seq: int, bhash: str) -> str:
    with db.read() as s:
        peer = s.get(SyncPeer, peer_id)
        same_seq = s.scalars(select(SyncIncoming).where(SyncIncoming.peer_id == peer_id, SyncIncoming.seq == seq,
                                                        SyncIncoming.status.in_(("applied", "held")))).all()
        if any(r.bundle_hash == bhash and r.status == "held" for r in same_seq):
            return "already_held"
        if any(r.bundle_hash == bhash for r in same_seq):
            return "duplicate"
        if same_seq:
            return "clone"
        if seq <= peer.last_seq_in:
            return "duplicate"
        if seq > peer.last_seq_in + 1:
            return "held"
        return "next"


def _missing_after_hold(db: Database, peer_id: int, seq: int) -> list[int]:
    with db.read() as s:
        peer = s.get(SyncPeer, peer_id)
        held = set(s.scalars(select(SyncIncoming.seq).where(SyncIncoming.peer_id == peer_id,
                                                            SyncIncoming.status == "held")))
        return [n for n in range(peer.last_seq_in + 1, seq) if n not in held]


def missing_for(db: Database, peer_id: int) -> tuple[list[int], list[int]]:
    """(held, missing) bundle numbers of one peer."""
    with db.read() as s:
        peer = s.get(SyncPeer, peer_id)
        held = sorted(s.scalars(select(SyncIncoming.seq).where(SyncIncoming.peer_id == peer_id,
                                                               SyncIncoming.status == "held")))
        top = max(held) if held else peer.last_seq_in
        return held, [n for n in range(peer.last_seq_in + 1, top) if n not in set(held)]


def _incoming_row(parsed: bundle.Parsed, peer_id: int, status: str, file_name: str | None) -> SyncIncoming:
    m = parsed.manifest
    created = None
    try:
        from datetime import datetime

        created = datetime.fromisoformat(str(m.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        pass
    return SyncIncoming(peer_id=peer_id, seq=parsed.seq, bundle_hash=parsed.bundle_hash,
                        prev_hash=m.get("prev_hash"), status=status, file_name=(file_name or "")[:300] or None,
                        created_at=created, received_at=utcnow(), counts=m.get("counts") or {}, summary={})


def _hold(db: Database, peer_id: int, parsed: bundle.Parsed, data: bytes, file_name: str | None) -> None:
    with db.write(capture_changes=False) as s:
        row = _incoming_row(parsed, peer_id, "held", file_name)
        s.add(row)
        s.flush()
        s.add(SyncHeld(incoming_id=row.id, data=data))


def _record_clone(db: Database, peer_id: int, parsed: bundle.Parsed, file_name: str | None) -> None:
    with db.write(capture_changes=False) as s:
        row = _incoming_row(parsed, peer_id, "clone", file_name)
        s.add(row)
        peer = s.get(SyncPeer, peer_id)
        peer.alarm = _("Hai gói khác nhau cùng số {seq} (lúc {when}).").format(
            seq=parsed.seq, when=utcnow().strftime("%Y-%m-%d %H:%M UTC"))


def _lock_peer(s: Any, peer_id: int) -> SyncPeer:
    """The peer row, locked on PostgreSQL so two hub processes never apply the same sequence."""
    stmt = select(SyncPeer).where(SyncPeer.id == peer_id)
    if s.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return s.scalars(stmt).one()


class _DryRun(Exception):
    pass


def _apply(db: Database, peer_id: int, parsed: bundle.Parsed, content: records.Body, *,
           file_name: str | None, dry_run: bool, progress: importer.Progress | None, held_id: int | None,
           base: dict[str, Any], timings: dict[str, float], started: float) -> Report:
    m = parsed.manifest
    office = db.require_office()
    report: Report | None = None
    try:
        with db.write(capture_changes=False) as s:
            peer = _lock_peer(s, peer_id)
            if parsed.seq != peer.last_seq_in + 1:  # another process got there first
                return Report("duplicate", _("Gói số {seq} của {name} đã được nhập trước đó; không có gì thay đổi.")
                              .format(seq=parsed.seq, name=peer.office_name), **base)
            if peer.last_seq_in > 0 and m.get("prev_hash") != peer.last_hash_in:
                return Report("refused", _("Gói số {seq} của {name} không nối tiếp gói số {prev} đã nhập (mã gói trước "
                                           "không khớp). Có thể phần mềm của đơn vị đã bị sao chép; gói bị từ chối.")
                              .format(seq=parsed.seq, name=peer.office_name, prev=peer.last_seq_in),
                              code="chain", **base)
            known = set()
            if office.is_hub:
                known = set(s.scalars(select(SyncPeer.office_code).where(SyncPeer.role == "commune")))
            incoming = None
            if held_id is not None:
                held = s.get(SyncHeld, held_id)
                incoming = s.get(SyncIncoming, held.incoming_id)
                s.delete(held)
                incoming.status = "applied"
            else:
                incoming = _incoming_row(parsed, peer_id, "applied", file_name)
                s.add(incoming)
            s.flush()
            source = importer.Source(peer_id=peer_id, office_code=peer.office_code, office_name=peer.office_name,
                                     from_hub=not office.is_hub, self_office=office.office_code,
                                     self_is_hub=office.is_hub, known_offices=known)
            result = importer.Applier(s.connection(), source, incoming_id=incoming.id, progress=progress).apply(content)
            if result.new_foreign_events:  # the competent commune's steps on dossiers received here
                from commune_desk.services.relay import apply_foreign_steps

                apply_foreign_steps(db, s, result, peer_id=peer_id, incoming_id=incoming.id)
            peer.last_seq_in = parsed.seq
            peer.last_hash_in = parsed.bundle_hash
            peer.last_bundle_at = utcnow()
            incoming.applied_at = utcnow()
            if office.is_hub:
                _note_down_ack(s, peer, m.get("down_ack"))
            totals = result.totals()
            report = Report("applied", _summary_text(peer.office_name, parsed.seq, totals, dry_run), **base,
                            totals=totals, created=dict(result.created), updated=dict(result.updated),
                            conflicts=result.conflicts, rejected=result.rejected,
                            timings={**timings, "apply": round(result.seconds, 3)})
            report.timings["total"] = round(time.perf_counter() - started, 3)  # before the commit
            incoming.summary = _summary(report, result)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    assert report is not None
    return report


def _note_down_ack(s: Any, peer: SyncPeer, down_ack: Any) -> None:
    """Hub: the commune says which of our downstream bundles it has applied."""
    if not isinstance(down_ack, dict) or not isinstance(down_ack.get("seq"), int):
        return
    rows = s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer.id,
                                                SyncOutgoing.seq <= down_ack["seq"],
                                                SyncOutgoing.status != "acked")).all()
    top = s.scalars(select(SyncOutgoing).where(SyncOutgoing.peer_id == peer.id,
                                               SyncOutgoing.seq == down_ack["seq"])).first()
    if top is None or top.bundle_hash != down_ack.get("hash"):
        return
    for row in rows:
        row.status, row.acked_at, row.error = "acked", utcnow(), None


def _summary(report: Report, result: importer.Result) -> dict[str, Any]:
    return {"totals": report.totals, "created": dict(result.created), "updated": dict(result.updated),
            "unchanged": dict(result.unchanged), "deleted": dict(result.deleted),
            "conflicts": result.conflicts[:200], "rejected": result.rejected[:200], "relayed": result.relayed,
            "timings": report.timings, "message": report.message}


def _summary_text(name: str, seq: int, t: dict[str, int], dry_run: bool) -> str:
    head = _("Xem trước gói số {seq} của {name}: sẽ tạo {created}, cập nhật {updated}, không đổi {unchanged}, "
             "xóa {deleted}, {conflicts} xung đột, {rejected} bị từ chối.") if dry_run else \
        _("Đã nhập gói số {seq} của {name}: tạo {created}, cập nhật {updated}, không đổi {unchanged}, xóa {deleted}, "
          "{conflicts} xung đột, {rejected} bị từ chối.")
    return head.format(seq=seq, name=name, **t)


def _apply_held(db: Database, peer_id: int, progress: importer.Progress | None) -> list[Report]:
    """Apply, in order, the held bundles that now follow without a gap."""
    out: list[Report] = []
    while True:
        with db.read() as s:
            peer = s.get(SyncPeer, peer_id)
            row = s.execute(select(SyncHeld.id, SyncHeld.data, SyncIncoming.file_name)
                            .join(SyncIncoming, SyncIncoming.id == SyncHeld.incoming_id)
                            .where(SyncIncoming.peer_id == peer_id, SyncIncoming.status == "held",
                                   SyncIncoming.seq == peer.last_seq_in + 1)).first()
        if row is None:
            return out
        report = receive(db, bytes(row.data), file_name=row.file_name, progress=progress, _held_id=row.id)
        out.append(report)
        if report.status != "applied":
            _drop_held(db, row.id)
            return out
        out.extend(report.then_applied)
        report.then_applied = []


def _drop_held(db: Database, held_id: int) -> None:
    with db.write(capture_changes=False) as s:
        held = s.get(SyncHeld, held_id)
        if held is not None:
            incoming = s.get(SyncIncoming, held.incoming_id)
            s.delete(held)
            s.flush()
            s.delete(incoming)


def count_open_conflicts(db: Database, peer_id: int | None = None) -> int:
    from commune_desk.store.models.sync import SyncConflict

    with db.read() as s:
        stmt = select(sa.func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")
        if peer_id is not None:
            stmt = stmt.where(SyncConflict.peer_id == peer_id)
        return int(s.scalar(stmt) or 0)


def audit_import(ctx: Ctx, report: Report, source: str) -> None:
    """The importing office's own audit entry for a bundle it was given (applied, held,
    refused…) and for the held ones it then applied: who imported which office's bundle, from
    where, with what result. At the hub, a commune's bundle; at a commune, its hub's
    downstream bundle. The changes themselves are not re-audited here: the sender's own chain
    arrives with them. A duplicate or a refused bundle writes nothing at all (the caller
    shows why), so no entry; nor does a dry run."""
    kept = [r for r in (report, *report.then_applied) if r.status not in ("duplicate", "refused") and not r.dry_run]
    if not kept:
        return
    with ctx.db.write() as s:
        for r in kept:
            audit.record(s, ctx.actor, "sync.import", f"{r.office_code or '?'} {r.file_name or ''}".strip(),
                         {"office_code": r.office_code or "", "office": r.office_name or "", "seq": r.seq,
                          "status": r.status, "source": source, "records": sum(r.created.values())
                          + sum(r.updated.values()), "problem": r.code or ""})
