"""Going back down: the hub passes a dossier received at one commune for another commune
(location-independent receipt, ``dossier.competent_office_code``) to that commune, with its
history, in its downstream bundle; the competent commune's own steps go back up and, through
the hub, down to the office that received the dossier."""

from __future__ import annotations

from sqlalchemy import func, select
from sync_helpers import add_dossiers, admin, enroll, new_commune, pair_fixture  # noqa: F401

from commune_desk.services import dossier_query, lifecycle, sync_hub
from commune_desk.services import sync as commune_sync
from commune_desk.store.models import Dossier, DossierEvent
from commune_desk.store.models.sync import SyncConflict, SyncRelay


def _down_bundle(hub, office_code: str, folder):
    down = sync_hub.export(hub, office_code, folder)
    return [f for f in down.files if f.suffix == ".cdb"]


def _db_rows(ctx) -> tuple[int, int, int]:
    with ctx.db.read() as s:
        return (s.scalar(select(func.count()).select_from(Dossier)),
                s.scalar(select(func.count()).select_from(DossierEvent)),
                s.scalar(select(func.count()).select_from(SyncConflict)))


def test_hub_relays_a_dossier_received_elsewhere_down_to_its_commune(pair, tmp_path):
    other = new_commune(tmp_path / "thuan-hoa", "00922", "Xã Thuận Hoà", "000.00.22.H56")
    try:
        enroll(other, pair.hub, tmp_path / "b")
        # Minh Tân receives two dossiers; the clerk marked one as Thuận Hoà's to settle
        codes = add_dossiers(pair.commune, 2, events=2)
        with pair.commune.db.write() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == codes[1])).one()
            d.competent_office_code = "00922"
        report = pair.import_(pair.export().new.path).reports[0]
        assert report.status == "applied"
        with pair.hub.db.read() as s:
            relayed = s.execute(select(SyncRelay.entity, func.count()).where(SyncRelay.target_office == "00922")
                                .group_by(SyncRelay.entity)).all()
        assert dict(relayed) == {"dossier": 1, "dossier_event": 2}

        (bundle_file,) = _down_bundle(pair.hub, "00922", tmp_path / "down")
        got = commune_sync.import_file(other, bundle_file)
        assert got.status == "applied", got.message
        assert got.totals["rejected"] == 0 and got.totals["conflicts"] == 0
        with other.db.read() as s:
            mine = s.scalars(select(Dossier).where(Dossier.code == codes[1])).one()
            assert mine.office_code == "00919", "still Minh Tân's record"
            assert mine.competent_office_code == "00922"
            assert s.scalar(select(func.count()).select_from(DossierEvent)
                            .where(DossierEvent.dossier_id == mine.id)) == 2
            assert s.scalars(select(Dossier).where(Dossier.code == codes[0])).first() is None

        # a second relay changes nothing: the same bundle again, and a new export with nothing new
        before = _db_rows(other)
        assert commune_sync.import_file(other, bundle_file).status == "duplicate"
        again = _down_bundle(pair.hub, "00922", tmp_path / "down-again")
        for f in again:
            assert commune_sync.import_file(other, f).status in ("duplicate", "applied")
        assert _db_rows(other) == before

        # Minh Tân itself never gets its own record back down
        (own_bundle,) = _down_bundle(pair.hub, "00919", tmp_path / "down-a")
        assert commune_sync.import_file(pair.commune, own_bundle).totals["rejected"] == 0
    finally:
        other.db.close()


def test_competent_commune_works_the_relayed_dossier_and_its_steps_reach_the_receiving_office(pair, tmp_path):
    other = new_commune(tmp_path / "thuan-hoa", "00922", "Xã Thuận Hoà", "000.00.22.H56")
    try:
        enroll(other, pair.hub, tmp_path / "b")
        (code,) = add_dossiers(pair.commune, 1, events=1)
        with pair.commune.db.write() as s:
            s.scalars(select(Dossier).where(Dossier.code == code)).one().competent_office_code = "00922"
        pair.import_(pair.export().new.path)
        (down,) = _down_bundle(pair.hub, "00922", tmp_path / "down")
        assert commune_sync.import_file(other, down).status == "applied"

        # Thuận Hoà sees it in its dossier list and moves it on
        listed = dossier_query.fetch_page(other, dossier_query.DossierFilter())
        row = next(r for r in listed if r.code == code)
        assert dossier_query.details(other, code).relay == ("Nhận tại", "Xã Minh Tân (00919)")
        step = lifecycle.assign(other, row.id, to_name="Công chức Tư pháp - Hộ tịch")
        assert step.status == "processing"

        # its step goes up; the dossier row (Minh Tân's) does not: nothing is refused at the hub
        up = commune_sync.export(other, tmp_path / "usb-b")
        assert up.new.counts.get("dossier_event") == 1 and "dossier" not in up.new.counts
        report = sync_hub.import_paths(pair.hub, [up.new.path]).reports[0]
        assert report.status == "applied", report.message
        assert report.totals["rejected"] == 0 and report.totals["conflicts"] == 0
        with pair.hub.db.read() as s:
            event = s.scalars(select(DossierEvent).where(DossierEvent.office_code == "00922")).one()
            assert event.kind == "assign" and event.to_status == "processing"
            targets = set(s.scalars(select(SyncRelay.target_office).where(SyncRelay.record_id == str(event.id))))
        assert targets == {"00919"}, "the step goes back to the receiving office only"

        # ... and from the hub down to Minh Tân, where the dossier's history shows it
        (back,) = _down_bundle(pair.hub, "00919", tmp_path / "down-a")
        got = commune_sync.import_file(pair.commune, back)
        assert got.status == "applied" and got.totals["rejected"] == 0, got.message
        history = dossier_query.details(pair.commune, code).history
        assert any(h.to_status == lifecycle_label("processing") for h in history)
        # Thuận Hoà does not get its own step back
        for f in _down_bundle(pair.hub, "00922", tmp_path / "down-2"):
            assert commune_sync.import_file(other, f).totals.get("rejected", 0) == 0
    finally:
        other.db.close()


def lifecycle_label(status: str) -> str:
    from commune_desk.domain.lifecycle import status_label

    return status_label(status)
