"""Each installation's key pairs and the files that carry public keys between offices.

- Ed25519 (signing): bundles, acknowledgements and enrolment files are signed with it.
- X25519 (receiving): a bundle's fresh content key is wrapped to the recipient's X25519 key.

Keys are made at setup (``services.office.setup_office`` calls :func:`create_identity` in
its transaction). The private halves are stored in the ``sync_identity`` table, see
``store/models/sync.py`` for why the database rather than a separate file.

A fingerprint is what two people read to each other on the phone before the hub trusts a
commune: 20 digits in five groups, derived from both public keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.store.base import utcnow
from commune_desk.store.models.sync import SyncIdentity

INVITE_FORMAT = "commune-desk-hub"
REQUEST_FORMAT = "commune-desk-enrolment"


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key: Any) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Identity:
    installation_id: uuid.UUID
    sign_private: bytes
    sign_public: bytes
    box_private: bytes
    box_public: bytes

    def signer(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.sign_private)

    def sign(self, data: bytes) -> bytes:
        return self.signer().sign(data)

    def box_key(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.box_private)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign_public, self.box_public)


def create_identity(session: Session, installation_id: uuid.UUID) -> Identity:
    """Make this installation's two key pairs (once; a second call keeps the first)."""
    existing = session.get(SyncIdentity, 1)
    if existing is not None:
        return _identity(existing)
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    row = SyncIdentity(id=1, installation_id=installation_id, sign_private=_raw_private(sign),
                       sign_public=_raw_public(sign.public_key()), box_private=_raw_private(box),
                       box_public=_raw_public(box.public_key()), created_at=utcnow())
    session.add(row)
    session.flush()
    return _identity(row)


def load_identity(session: Session) -> Identity | None:
    row = session.get(SyncIdentity, 1)
    return _identity(row) if row is not None else None


def _identity(row: SyncIdentity) -> Identity:
    return Identity(row.installation_id, bytes(row.sign_private), bytes(row.sign_public),
                    bytes(row.box_private), bytes(row.box_public))


def ensure_identity(session: Session) -> Identity:
    """The keys, made now for a database set up before keys existed."""
    identity = load_identity(session)
    if identity is not None:
        return identity
    from commune_desk.store.models import Office

    office = session.scalars(select(Office)).first()
    if office is None:
        raise KnownError(_("Văn phòng chưa được thiết lập."))
    identity = create_identity(session, office.installation_id)
    office.public_key = identity.sign_public
    return identity


def fingerprint(sign_public: bytes, box_public: bytes) -> str:
    """Five groups of four digits (about 66 bits), easy to read aloud in any language."""
    digest = hashlib.sha256(b"commune-desk fingerprint v1\0" + sign_public + box_public).digest()
    number = int.from_bytes(digest[:9], "big") % 10**20
    digits = f"{number:020d}"
    return " ".join(digits[i:i + 4] for i in range(0, 20, 4))


def same_fingerprint(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(ch for ch in s if ch.isdigit())
    return len(norm(a)) == 20 and norm(a) == norm(b)


def verify(sign_public: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(sign_public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# -- signed JSON files (invite, enrolment request, acknowledgement) -------------------------

def write_signed(identity: Identity, body: dict[str, Any]) -> bytes:
    """``{"body": "<json text>", "signature": "<b64>"}``: the exact signed bytes are kept as a
    string, so no canonical JSON form is needed to check the signature."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    sig = identity.sign(text.encode("utf-8"))
    return (json.dumps({"body": text, "signature": b64(sig)}, ensure_ascii=False, indent=1) + "\n").encode()


def read_signed(data: bytes, expected_format: str) -> tuple[dict[str, Any], bytes, bytes]:
    """(body, signed bytes, signature) of a signed JSON file, or a KnownError saying what is wrong.
    The caller checks the signature against the key it trusts."""
    try:
        outer = json.loads(data.decode("utf-8"))
        text = outer["body"]
        signature = unb64(outer["signature"])
        body = json.loads(text)
        if not isinstance(body, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise KnownError(_("Tệp không đúng định dạng hoặc đã bị hỏng.")) from exc
    if body.get("format") != expected_format:
        raise KnownError(_("Tệp này không phải loại cần dùng ở đây (cần {expected}, có {found}).")
                         .format(expected=expected_format, found=body.get("format") or "?"))
    return body, text.encode("utf-8"), signature


def public_card(identity: Identity, *, office_code: str, office_name: str, fmt: str,
                extra: dict[str, Any] | None = None) -> bytes:
    """An invite (hub) or an enrolment request (commune): who we are and our public keys,
    signed with our own key (proof that the sender holds the private half)."""
    body = {"format": fmt, "version": 1, "office_code": office_code, "office_name": office_name,
            "installation_id": str(identity.installation_id), "sign_public": b64(identity.sign_public),
            "box_public": b64(identity.box_public), "fingerprint": identity.fingerprint,
            "created_at": utcnow().isoformat()}
    body.update(extra or {})
    return write_signed(identity, body)


@dataclass(frozen=True)
class Card:
    office_code: str
    office_name: str
    installation_id: uuid.UUID
    sign_public: bytes
    box_public: bytes
    fingerprint: str
    body: dict[str, Any]


def read_card(data: bytes, fmt: str) -> Card:
    """Read and self-verify an invite or an enrolment request."""
    body, signed, signature = read_signed(data, fmt)
    try:
        card = Card(office_code=str(body["office_code"]), office_name=str(body["office_name"]),
                    installation_id=uuid.UUID(body["installation_id"]),
                    sign_public=unb64(body["sign_public"]), box_public=unb64(body["box_public"]),
                    fingerprint=fingerprint(unb64(body["sign_public"]), unb64(body["box_public"])), body=body)
    except (KeyError, ValueError, TypeError) as exc:
        raise KnownError(_("Tệp không đúng định dạng hoặc đã bị hỏng.")) from exc
    if len(card.sign_public) != 32 or len(card.box_public) != 32 or not verify(card.sign_public, signature, signed):
        raise KnownError(_("Chữ ký của tệp không hợp lệ: tệp đã bị sửa hoặc hỏng."))
    return card
