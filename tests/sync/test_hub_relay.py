"""Going back down: the hub passes a dossier received at one commune for another commune
(location-independent receipt) to that commune, with its history, in its downstream bundle.

The dossier table has no column naming the competent commune yet, so the route is declared
here on ``note`` (a model sets ``__sync_route__ = "<column>"`` for real); everything else is
the production path."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sync_helpers import add_dossiers, admin, enroll, new_commune, pair_fixture  # noqa: F401

from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.store.models import Dossier, DossierEvent
from commune_desk.store.models.sync import SyncRelay
from commune_desk.sync import schema


@pytest.fixture
def routed_by_note(monkeypatch):
    monkeypatch.setattr(schema.spec("dossier"), "route", "note")


@pytest.mark.usefixtures("routed_by_note")
def test_hub_relays_a_dossier_received_elsewhere_down_to_its_commune(pair, tmp_path):
    other = new_commune(tmp_path / "binh-an", "00922", "Xã Bình An", "000.00.22.H56")
    try:
        enroll(other, pair.hub, tmp_path / "b")
        # Minh Tân receives two dossiers; one concerns Bình An
        codes = add_dossiers(pair.commune, 2, events=2)
        with pair.commune.db.write() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == codes[1])).one()
            d.note = "00922"
        report = pair.import_(pair.export().new.path).reports[0]
        assert report.status == "applied"
        with pair.hub.db.read() as s:
            relayed = s.execute(select(SyncRelay.entity, func.count()).where(SyncRelay.target_office == "00922")
                                .group_by(SyncRelay.entity)).all()
        assert dict(relayed) == {"dossier": 1, "dossier_event": 2}

        down = sync_hub.export(pair.hub, "00922", tmp_path / "down")
        (bundle_file,) = [f for f in down.files if f.suffix == ".cdb"]
        got = commune_sync.import_file(other, bundle_file)
        assert got.status == "applied", got.message
        with other.db.read() as s:
            mine = s.scalars(select(Dossier).where(Dossier.code == codes[1])).one()
            assert mine.office_code == "00919", "still Minh Tân's record"
            assert s.scalar(select(func.count()).select_from(DossierEvent)
                            .where(DossierEvent.dossier_id == mine.id)) == 2
            assert s.scalars(select(Dossier).where(Dossier.code == codes[0])).first() is None
        # Minh Tân itself never gets its own record back down
        own = sync_hub.export(pair.hub, "00919", tmp_path / "down-a")
        (own_bundle,) = [f for f in own.files if f.suffix == ".cdb"]
        assert commune_sync.import_file(pair.commune, own_bundle).totals["rejected"] == 0
    finally:
        other.db.close()
