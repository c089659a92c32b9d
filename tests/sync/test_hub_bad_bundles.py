"""Every bad bundle is refused with a clear reason and leaves the hub's database exactly as
it was: real bundles mutated by hypothesis (a flipped byte anywhere, cut anywhere, bytes
inserted or removed, random bytes), and the named cases (wrong signature, missing part,
unknown office, replay, newer schema). An out-of-order bundle is held, not refused."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_helpers import add_dossiers, db_fingerprint, sqlite_pair_fixture  # noqa: F401

from commune_desk.services import sync as commune_sync
from commune_desk.services.sync_receive import identity_of, receive
from commune_desk.sync import bundle

FIXTURE_OK = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def staged(sqlite_pair):
    """The hub has bundle 1; bundle 2 (three parts) waits to be imported."""
    add_dossiers(sqlite_pair.commune, 3)
    sqlite_pair.import_(sqlite_pair.export().new.path)
    with sqlite_pair.commune.db.write() as s:
        sqlite_pair.commune.db.set_setting(s, "sync.part_size_bytes", 1500)
    add_dossiers(sqlite_pair.commune, 30, start=3, events=2)
    info = commune_sync.make_bundle(sqlite_pair.commune)
    assert info.part_count >= 3
    return sqlite_pair, info.path.read_bytes(), db_fingerprint(sqlite_pair.hub.db)


def refused(pair, data: bytes, before: str) -> str:
    report = receive(pair.hub.db, data, file_name="x.cdb")
    assert report.status == "refused", (report.status, report.message)
    assert report.message and report.code
    assert db_fingerprint(pair.hub.db) == before
    return report.code


@FIXTURE_OK
@given(data=st.data())
def test_hub_refuses_a_bundle_with_any_byte_flipped(staged, data):
    pair, good, before = staged
    pos = data.draw(st.integers(0, len(good) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    bad = bytearray(good)
    bad[pos] ^= mask
    refused(pair, bytes(bad), before)


@FIXTURE_OK
@given(data=st.data())
def test_hub_refuses_a_truncated_or_spliced_bundle(staged, data):
    pair, good, before = staged
    kind = data.draw(st.sampled_from(["cut", "insert", "delete"]))
    at = data.draw(st.integers(0, len(good) - 1), label="at")
    if kind == "cut":
        bad = good[:at]
    elif kind == "insert":
        bad = good[:at] + data.draw(st.binary(min_size=1, max_size=64)) + good[at:]
    else:
        n = data.draw(st.integers(1, 64))
        bad = good[:at] + good[at + n:]
    refused(pair, bad, before)


@FIXTURE_OK
@given(blob=st.binary(max_size=4096))
def test_hub_refuses_random_bytes(staged, blob):
    pair, _good, before = staged
    assert refused(pair, blob, before) in ("not_bundle", "truncated", "version")


def test_hub_refuses_each_named_bad_bundle_and_then_takes_the_good_one(staged):
    pair, good, before = staged
    # truncated file
    assert refused(pair, good[: len(good) // 2], before) == "truncated"
    # a missing part (a WebDAV upload put back together without its last piece)
    head, parts = bundle.split(good)
    assert refused(pair, bundle.reassemble(head, parts[:-1]), before) == "missing_part"
    # a part swapped for another part of the same size is caught by its hash
    swapped = head[:-4] + struct.pack(">I", len(parts)) + b"".join(
        struct.pack(">Q", len(p)) + p for p in [parts[1], parts[0], *parts[2:]])
    assert refused(pair, swapped, before) in ("part_hash", "missing_part")
    # the right office, the right manifest, but signed with another key
    forged = _rebuild(pair, good, sign_with_other_key=True)
    assert refused(pair, forged, before) == "signature"
    # made by a newer release (schema unknown here), properly signed
    assert refused(pair, _rebuild(pair, good, schema="9999_future"), before) == "schema"
    # nothing was held or half-written: the real bundle still imports
    report = receive(pair.hub.db, good)
    assert report.status == "applied", report.message
    after = db_fingerprint(pair.hub.db)
    # and a replay changes nothing
    assert receive(pair.hub.db, good).status == "duplicate"
    assert db_fingerprint(pair.hub.db) == after


def test_hub_holds_an_out_of_order_bundle_instead_of_refusing_it(staged):
    pair, good, _before = staged
    add_dossiers(pair.commune, 1, start=50)
    third = commune_sync.make_bundle(pair.commune)
    report = receive(pair.hub.db, third.path.read_bytes())
    assert report.status == "held" and report.missing == [2]
    assert "Thiếu gói số 2 của Xã Minh Tân" in report.message
    report = receive(pair.hub.db, good)
    assert report.status == "applied" and [r.status for r in report.then_applied] == ["applied"]


def _rebuild(pair, good: bytes, *, schema: str | None = None, sign_with_other_key: bool = False) -> bytes:
    """The same content as ``good``, rebuilt with the commune's identity (or an impostor's)."""
    commune = identity_of(pair.commune.db)
    hub = identity_of(pair.hub.db)
    parsed = bundle.parse(good)
    m = dict(parsed.manifest)
    header = {k: m[k] for k in ("kind", "schema", "office_code", "office_name", "seq", "prev_hash", "counts",
                                "changes", "down_ack")}
    if schema:
        header["schema"] = schema
    sender = commune
    if sign_with_other_key:
        from test_sync_bundle import identity

        other = identity()
        sender = type(commune)(commune.installation_id, other.sign_private, other.sign_public,
                               other.box_private, other.box_public)
    plain = bundle.open_body(parsed, hub)
    return bundle.build(sender, body=plain, recipient_installation=hub.installation_id,
                        recipient_box_public=hub.box_public, header=header, part_size=1500).data
