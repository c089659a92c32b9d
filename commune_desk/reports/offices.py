"""Which communes a report covers, their names, and how fresh each one's figures are.

At a commune the report covers its own records. At the hub (which holds many communes'
rows) it covers one commune, several or all; a figure is never shown without the date of
that commune's last bundle: ``sync_peer.last_bundle_at`` of the enrolled commune. Until
the hub has applied a bundle of a commune, the newest ``updated_at`` of that commune's
dossiers stands in, and the report says so (``Freshness.source == "records"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, inspect, select
from sqlalchemy.orm import Session

from commune_desk.domain import units
from commune_desk.errors import NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.reports.model import Freshness
from commune_desk.store.models import Dossier

d = Dossier.__table__

try:  # the sync area's bookkeeping (absent in an older build)
    from commune_desk.store.models.sync import SyncPeer
except ImportError:  # pragma: no cover - depends on the build
    SyncPeer = None  # type: ignore[assignment,misc]


def _peers_table(session: Session) -> Table | None:
    """``sync_peer`` if this build and this database have it."""
    if SyncPeer is None:
        return None
    table = SyncPeer.__table__
    return table if inspect(session.connection()).has_table(table.name) else None


def bundle_dates(session: Session) -> dict[str, datetime]:
    """Office code -> when the hub applied that commune's last bundle (``sync_peer``)."""
    peers = _peers_table(session)
    if peers is None:
        return {}
    query = (select(peers.c.office_code, func.max(peers.c.last_bundle_at))
             .where(peers.c.role == "commune", peers.c.last_bundle_at.is_not(None)).group_by(peers.c.office_code))
    return {code: last for code, last in session.execute(query) if code and last}


def enrolled_names(session: Session) -> dict[str, str]:
    """Office code -> name of the communes the hub has enrolled."""
    peers = _peers_table(session)
    if peers is None:
        return {}
    query = select(peers.c.office_code, peers.c.office_name).where(peers.c.role == "commune")
    return {code: name or "" for code, name in session.execute(query) if code}


def record_dates(session: Session, office_codes: Sequence[str] | None = None) -> dict[str, datetime]:
    query = select(d.c.office_code, func.max(d.c.updated_at)).group_by(d.c.office_code)
    if office_codes:
        query = query.where(d.c.office_code.in_(list(office_codes)))
    return {code: last for code, last in session.execute(query) if code}


def commune_name(code: str, known: dict[str, str]) -> str:
    if known.get(code):
        return known[code]
    unit = units.find_commune(code)
    return unit.name if unit else code


def office_codes_with_dossiers(session: Session) -> set[str]:
    """The distinct office codes of the dossiers, one index probe per office (a "loose index
    scan" as a recursive CTE) instead of reading millions of rows."""
    first = select(func.min(d.c.office_code).label("code")).cte("codes", recursive=True)
    nxt = select(func.min(d.c.office_code)).where(d.c.office_code > first.c.code).scalar_subquery()
    walk = first.union_all(select(nxt).where(first.c.code.is_not(None)))
    return {code for (code,) in session.execute(select(walk.c.code)) if code}


def known_communes(session: Session, hub_code: str) -> dict[str, str]:
    """Every commune the hub holds data for or has enrolled: code -> name."""
    enrolled = enrolled_names(session)
    codes = set(enrolled) | office_codes_with_dossiers(session)
    codes.discard(hub_code)
    return {code: commune_name(code, enrolled) for code in sorted(codes)}


def resolve_offices(requested: Sequence[str] | None, known: dict[str, str]) -> list[str]:
    """The commune codes a hub report covers: the requested ones (each must be known), or all."""
    if not requested:
        return sorted(known)
    out: list[str] = []
    for raw in requested:
        for code in (c.strip() for c in str(raw).split(",")):
            if not code:
                continue
            if code not in known:
                listing = ", ".join(f"{c} {n}" for c, n in list(known.items())[:8]) or _("chưa có xã nào")
                raise NotFound(_("Cấp trên không có dữ liệu của xã mã “{code}”. Các xã đã có dữ liệu: {known}.")
                               .format(code=code, known=listing))
            if code not in out:
                out.append(code)
    if not out:
        raise ValidationError(_("Hãy chọn ít nhất một xã."), field="offices")
    return out


def freshness(session: Session, office_codes: Sequence[str], names: dict[str, str]) -> list[Freshness]:
    """Each commune's data date: its last bundle, else the newest update of any of its
    dossiers (a scan of that commune's rows: only for communes the hub has no bundle of)."""
    bundles = bundle_dates(session)
    missing = [code for code in office_codes if code not in bundles]
    records = record_dates(session, missing) if missing else {}
    out = []
    for code in office_codes:
        if code in bundles:
            out.append(Freshness(code, names.get(code, code), bundles[code], "bundle"))
        else:
            out.append(Freshness(code, names.get(code, code), records.get(code), "records"))
    return out
