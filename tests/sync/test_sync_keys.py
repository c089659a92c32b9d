"""Each installation gets its keys at setup; enrolment files are self-signed and a tampered
one is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from commune_desk.errors import KnownError
from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.store.models import Office
from commune_desk.store.models.sync import SyncIdentity, SyncPeer
from commune_desk.sync import keys


def test_sync_keys_are_made_at_setup(db):
    with db.read() as s:
        ident = s.get(SyncIdentity, 1)
        office = s.scalars(select(Office)).one()
    assert ident is not None and len(ident.sign_private) == 32 and len(ident.box_public) == 32
    assert office.public_key == ident.sign_public
    assert ident.installation_id == office.installation_id


def test_sync_enrolment_needs_the_fingerprint(admin_ctx, hub_db, tmp_path):
    from sync_helpers import admin

    hub = admin(hub_db)
    invite = sync_hub.invite(hub, tmp_path / "hub.json", webdav_url="https://dav.tinh.gov.vn/commune-desk")
    data = json.loads(invite.path.read_text())
    assert json.loads(data["body"])["webdav_url"] == "https://dav.tinh.gov.vn/commune-desk/"
    result = commune_sync.enroll(admin_ctx, invite.path, tmp_path / "req.json")
    assert result.hub_fingerprint == invite.fingerprint
    request = result.request_path.read_bytes()
    wrong = "0000 0000 0000 0000 0000"
    with pytest.raises(KnownError, match="Dấu vân tay không khớp"):
        sync_hub.enroll(hub, request, fingerprint=wrong)
    with pytest.raises(KnownError, match="chưa được xác nhận"):
        sync_hub.enroll(hub, request, confirm=lambda card: False)
    with hub_db.read() as s:
        assert s.scalars(select(SyncPeer)).all() == []
    seen = []
    outcome = sync_hub.enroll(hub, request, confirm=lambda card: seen.append(card.fingerprint) or True)
    assert outcome.status == "enrolled" and seen == [result.my_fingerprint]
    assert sync_hub.enroll(hub, request, fingerprint=result.my_fingerprint).status == "already"


def test_sync_tampered_enrolment_request_is_refused(admin_ctx, hub_db, tmp_path):
    from sync_helpers import admin

    hub = admin(hub_db)
    invite = sync_hub.invite(hub, tmp_path / "hub.json")
    result = commune_sync.enroll(admin_ctx, invite.path, tmp_path / "req.json")
    outer = json.loads(result.request_path.read_text())
    body = json.loads(outer["body"])
    body["office_name"] = "Xã Giả Mạo"
    outer["body"] = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with pytest.raises(KnownError, match="Chữ ký"):
        sync_hub.enroll(hub, json.dumps(outer).encode(), fingerprint=result.my_fingerprint)
    with pytest.raises(KnownError, match="không đúng định dạng"):
        sync_hub.enroll(hub, b"\x00garbage", fingerprint=result.my_fingerprint)
    with pytest.raises(KnownError, match="không phải loại"):
        sync_hub.enroll(hub, invite.path.read_bytes(), fingerprint=result.my_fingerprint)


def test_sync_request_for_another_hub_is_refused(admin_ctx, hub_db):
    from sync_helpers import admin

    hub = admin(hub_db)
    other = keys.public_card(commune_sync.identity_of(admin_ctx.db), office_code="00919", office_name="Xã Minh Tân",
                             fmt=keys.REQUEST_FORMAT, extra={"role": "commune", "hub_installation_id": "x"})
    with pytest.raises(KnownError, match="cấp trên khác"):
        sync_hub.enroll(hub, other, fingerprint=commune_sync.identity_of(admin_ctx.db).fingerprint)
