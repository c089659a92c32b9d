"""The network transport against a real WebDAV server (wsgidav) on 127.0.0.1: a commune
pushes part by part, the hub pulls, imports and leaves the acknowledgement and its own
bundle; an upload cut in the middle resumes without sending finished parts again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sync_helpers import USERS, add_dossiers, admin, dav_fixture, sqlite_pair_fixture  # noqa: F401

from commune_desk.errors import KnownError
from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub, sync_push
from commune_desk.store.models import Dossier
from commune_desk.sync.transport import TransportError, WebDav


def webdav_pair(pair, dav):
    """Re-enrol with an invite that names the WebDAV folder; each side gets its account."""
    invite = sync_hub.invite(pair.hub, pair.folder / "hub-dav.json", webdav_url=dav.url, webdav_user="tinh08")
    commune_sync.enroll(pair.commune, invite.path, pair.folder / "req-dav.json", webdav_user="00919")
    return (WebDav(dav.url, "00919", USERS["00919"], retries=1, backoff=0.01),
            WebDav(dav.url, "tinh08", USERS["tinh08"], retries=1, backoff=0.01))


def test_sync_push_and_hub_pull_through_webdav(sqlite_pair, dav):
    pair = sqlite_pair
    commune_dav, hub_dav = webdav_pair(pair, dav)
    assert sync_push.transport_config(pair.commune.db).kind == "webdav"
    add_dossiers(pair.commune, 6, events=2)
    pushed = sync_push.push(pair.commune, transport=commune_dav)
    assert pushed.uploaded == [1] and pushed.parts_sent >= 1
    assert "Đã gửi gói 1" in pushed.message
    folder = next((dav.root).iterdir())
    assert (folder / "up").is_dir() and folder.name.startswith("00919-")
    # the head goes last: the hub never takes a half-uploaded bundle
    puts = [p for m, p, st in dav.log if m == "PUT"]
    assert puts[-1].endswith("/head")

    pulled = sync_push.pull(pair.hub, password=USERS["tinh08"])
    assert [r.status for r in pulled.reports] == ["applied"]
    assert pulled.acks == 1 and pulled.downstream, "the hub leaves its acknowledgement and its own bundle"
    with pair.hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 6
    assert not list((folder / "up").iterdir()), "imported bundles leave the server"

    second = sync_push.push(pair.commune, transport=commune_dav)
    assert second.uploaded == []
    assert [a.acked for a in second.acks] == [[1]]
    assert [r.status for r in second.downstream] == ["applied"]
    statuses = {b.seq: b.status for b in commune_sync.list_bundles(pair.commune.db)}
    assert statuses == {1: "acked"}
    assert not list((folder / "down").iterdir()), "the commune takes what the hub left"
    # the hub learns with the next bundle that its downstream bundle arrived
    add_dossiers(pair.commune, 1, start=50)
    sync_push.push(pair.commune, transport=commune_dav)
    sync_push.pull(pair.hub, password=USERS["tinh08"])
    assert all(b.status == "acked" for b in commune_sync.list_bundles(pair.hub.db))
    assert hub_dav  # the hub's client is what pull builds from its settings


def test_sync_upload_cut_in_the_middle_resumes_without_resending_finished_parts(sqlite_pair, dav):
    pair = sqlite_pair
    commune_dav, _hub = webdav_pair(pair, dav)
    with pair.commune.db.write() as s:
        pair.commune.db.set_setting(s, "sync.part_size_bytes", 2000)
    add_dossiers(pair.commune, 40, events=2)
    info = commune_sync.make_bundle(pair.commune)
    assert info.part_count >= 4
    # the network drops in the middle of part 3, three times in a row (the client retries once)
    dav.proxy.match, dav.proxy.drops = b"part-0003", 3
    with pytest.raises(TransportError, match="Không kết nối được"):
        sync_push.push(pair.commune, transport=commune_dav)
    assert dav.proxy.dropped == 2
    assert dav.puts("part-0001") == 1 and dav.puts("part-0002") == 1
    from commune_desk.sync import bundle

    _head, parts = bundle.split(info.path.read_bytes())
    remote = next(dav.root.glob("*/up/*"))
    cut = remote / "part-0003"
    # (wsgidav keeps what it received of a cut request: a short file, never the whole part)
    assert not cut.exists() or cut.stat().st_size < len(parts[2])
    assert dav.puts("/head") == 0 and not (remote / "head").exists(), "an incomplete bundle is never complete"
    status = commune_sync.status(pair.commune)
    assert status.last_error and "Không kết nối được" in status.last_error
    # the hub sees nothing to take yet
    assert sync_push.pull(pair.hub, password=USERS["tinh08"]).reports == []

    resumed = sync_push.push(pair.commune, transport=commune_dav)
    assert resumed.uploaded == [info.seq]
    assert resumed.parts_skipped == 2, "parts 1 and 2 were already on the server"
    assert dav.puts("part-0001") == 1 and dav.puts("part-0002") == 1, "finished parts are not sent again"
    assert dav.puts("/head") == 1
    assert [(remote / f"part-{i:04d}").read_bytes() for i in range(1, len(parts) + 1)] == parts
    report = sync_push.pull(pair.hub, password=USERS["tinh08"]).reports[0]
    assert report.status == "applied" and report.created["dossier"] == 40
    assert commune_sync.status(pair.commune).last_error is None


def test_sync_push_with_a_wrong_password_says_so(sqlite_pair, dav):
    pair = sqlite_pair
    webdav_pair(pair, dav)
    add_dossiers(pair.commune, 1)
    with pytest.raises(KnownError, match="từ chối đăng nhập"):
        sync_push.push(pair.commune, transport=WebDav(dav.url, "00919", "sai-mat-khau", retries=0))
    status = commune_sync.status(pair.commune)
    assert status.bundles == [] and status.pending_changes > 0, "nothing left the outbox"
    assert "từ chối đăng nhập" in status.last_error


def test_sync_webdav_password_is_never_written_to_the_data_folder(sqlite_pair, dav, monkeypatch):
    pair = sqlite_pair
    webdav_pair(pair, dav)
    stored = sync_push.configure(pair.commune, kind="webdav", url=dav.url, username="00919",
                                 password=USERS["00919"])
    assert stored is False  # no OS keyring on this machine: asked each time instead
    for path in pair.commune.db.data_dir.rglob("*"):
        if path.is_file():
            assert USERS["00919"].encode() not in path.read_bytes(), path
    with pytest.raises(KnownError, match="Chưa có mật khẩu"):
        sync_push.open_transport(pair.commune.db)
    monkeypatch.setenv("COMMUNE_DESK_WEBDAV_PASSWORD", USERS["00919"])
    add_dossiers(pair.commune, 1)
    assert sync_push.push(pair.commune).uploaded == [1]
    assert admin  # helper kept for the other tests


def test_sync_shared_folder_push_and_hub_pull_from_an_inbox(sqlite_pair, tmp_path):
    """The same layout on a shared drive: the commune pushes into the folder, the hub pulls
    from it as its inbox and leaves the acknowledgement beside it."""
    from commune_desk.sync.transport import Folder

    pair = sqlite_pair
    share = tmp_path / "share"
    share.mkdir()
    add_dossiers(pair.commune, 3)
    pushed = sync_push.push(pair.commune, transport=Folder(share))
    assert pushed.uploaded == [1]
    pulled = sync_push.pull(pair.hub, inbox=share)
    assert [r.status for r in pulled.reports] == ["applied"]
    (ack,) = share.glob("*/down/ack.cdack")
    again = sync_push.push(pair.commune, transport=Folder(share))
    assert [a.acked for a in again.acks] == [[1]] and not ack.exists()
    with pytest.raises(KnownError, match="Không thấy thư mục"):
        sync_push.push(pair.commune, transport=Folder(tmp_path / "unplugged"))
