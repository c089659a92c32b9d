"""The bundle file on its own: what goes in comes out, and anything else is refused with a
reason a person can act on."""

from __future__ import annotations

import json
import struct
import uuid

import pytest

from commune_desk.sync import bundle, keys, records
from commune_desk.sync.keys import Identity


def identity() -> Identity:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    return Identity(uuid.uuid4(), keys._raw_private(sign), keys._raw_public(sign.public_key()),
                    keys._raw_private(box), keys._raw_public(box.public_key()))


def body(n: int) -> bytes:
    b = records.Body()
    b.add_rows("dossier", ["id", "office_code", "version", "applicant_name"],
               [[str(uuid.uuid4()), "00919", 1, f"Nguyễn Thị Đào {i}"] for i in range(n)])
    b.deletes.append(("rating", str(uuid.uuid4()), 3))
    return records.encode(b)


def make(sender: Identity, recipient: Identity, n: int = 50, part_size: int = 4_000_000, **header) -> bundle.Built:
    head = {"kind": "up", "schema": "0004", "office_code": "00919", "seq": 1, "prev_hash": None,
            "counts": {"dossier": n, "rating": 1}, "changes": n + 1} | header
    return bundle.build(sender, body=body(n), recipient_installation=recipient.installation_id,
                        recipient_box_public=recipient.box_public, header=head, part_size=part_size)


def test_sync_bundle_round_trip_in_several_parts():
    a, hub = identity(), identity()
    built = make(a, hub, n=400, part_size=1500)
    assert len(built.manifest["parts"]) > 3
    parsed = bundle.parse(built.data)
    bundle.check_signature(parsed, a.sign_public)
    bundle.check_parts(parsed)
    content = records.decode(bundle.open_body(parsed, hub))
    assert content.counts() == {"dossier": 400, "rating": 1}
    assert content.tables["dossier"].rows[7][3] == "Nguyễn Thị Đào 7"
    assert parsed.bundle_hash == built.bundle_hash
    # the manifest is plain JSON anyone can read; the names are not in it
    manifest = json.loads(parsed.manifest_bytes)
    assert manifest["office_code"] == "00919" and "Nguyễn" not in parsed.manifest_bytes.decode()
    assert "Nguyễn".encode() not in built.data


def test_sync_bundle_pieces_reassemble_to_the_same_file():
    a, hub = identity(), identity()
    built = make(a, hub, n=300, part_size=1200)
    head, parts = bundle.split(built)
    assert bundle.reassemble(head, parts) == built.data
    damaged = bundle.parse(bundle.reassemble(head, parts[:-1]))
    with pytest.raises(bundle.BundleError, match="thiếu 1 trong") as info:
        bundle.check_parts(damaged)
    assert info.value.code == "missing_part"


def test_sync_bundle_signed_by_someone_else_is_refused():
    a, impostor, hub = identity(), identity(), identity()
    forged = make(impostor, hub)
    with pytest.raises(bundle.BundleError, match="Chữ ký") as info:
        bundle.check_signature(bundle.parse(forged.data), a.sign_public)
    assert info.value.code == "signature"


def test_sync_bundle_for_another_recipient_cannot_be_opened():
    a, hub, other = identity(), identity(), identity()
    parsed = bundle.parse(make(a, hub).data)
    with pytest.raises(bundle.BundleError, match="không gửi cho máy này"):
        bundle.open_body(parsed, other)


@pytest.mark.parametrize("data, code", [
    (b"", "not_bundle"), (b"PK\x03\x04 a zip file", "not_bundle"), (b"CDBUNDLE\x02rest", "version"),
    (b"CDBUNDLE\x01\x00\x00", "truncated"),
])
def test_sync_bundle_refuses_what_is_not_a_bundle(data, code):
    with pytest.raises(bundle.BundleError) as info:
        bundle.parse(data)
    assert info.value.code == code and info.value.reason


def test_sync_bundle_with_bytes_after_the_end_is_refused():
    a, hub = identity(), identity()
    with pytest.raises(bundle.BundleError, match="dữ liệu thừa"):
        bundle.parse(make(a, hub).data + b"\0")


def test_sync_bundle_part_count_tampered():
    a, hub = identity(), identity()
    data = make(a, hub, n=300, part_size=1200).data
    head, parts = bundle.split(data)
    extra = head[:-4] + struct.pack(">I", len(parts) + 1) + b"".join(
        struct.pack(">Q", len(p)) + p for p in [*parts, parts[0]])
    with pytest.raises(bundle.BundleError, match="dữ liệu thừa"):
        bundle.check_parts(bundle.parse(extra))


def test_sync_fingerprint_is_twenty_digits_and_compares_loosely():
    a = identity()
    fp = a.fingerprint
    assert len(fp.replace(" ", "")) == 20 and fp.replace(" ", "").isdigit()
    assert keys.same_fingerprint(fp.replace(" ", "-"), fp)
    assert not keys.same_fingerprint(fp[:-1] + ("1" if fp[-1] != "1" else "2"), fp)
    assert not keys.same_fingerprint("", fp)
