"""The bundle file: one file per bundle, readable in two steps (verify, then open).

Layout (all integers big-endian)::

    b"CDBUNDLE"                    8 bytes  magic
    0x01                           1 byte   container version
    u32 n, manifest                n bytes  UTF-8 JSON, plaintext (see below)
    u16 s, signature               s bytes  Ed25519 over b"commune-desk bundle v1\\0" + manifest
    u32 k                                   number of parts
    k times: u64 m, part           m bytes  AES-256-GCM ciphertext of one slice of the body
    (end of file: nothing may follow)

The manifest says: ``format``/``format_version``, ``schema`` (the sender's Alembic head),
``kind`` (up: commune to hub; down: hub to commune), ``office_code``/``office_name``/
``installation_id`` of the sender, ``recipient`` (installation id), ``seq`` and
``prev_hash`` (the hash of the sender's previous bundle to this recipient), ``created_at``,
``counts`` (records per table), ``changes`` (change-log entries covered), ``parts`` (size
and SHA-256 of each part), ``encryption`` (the wrapped content key) and ``down_ack`` (the last
bundle the sender applied from the recipient). The bundle's hash is SHA-256 of the manifest
bytes: it covers every part through their hashes.

Body: JSON lines grouped by table (``sync/records.py``), compressed with zstd, split into
slices of at most ``sync.part_size_bytes`` and encrypted slice by slice with a fresh random
256-bit key. That key is wrapped to the recipient's X25519 key: an ephemeral X25519 key pair,
ECDH, HKDF-SHA256, AES-256-GCM. Each slice's nonce is its index (the key is never reused)
and its associated data names the bundle and the slice, so slices cannot be swapped.

A WebDAV upload sends the same bytes in pieces: the head (everything up to the part count)
and each part as its own file; the hub puts them back together into this one file.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import uuid
from dataclasses import dataclass
from typing import Any

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from commune_desk.i18n import _
from commune_desk.store.base import utcnow
from commune_desk.sync.keys import Identity, b64, unb64, verify

MAGIC = b"CDBUNDLE"
CONTAINER_VERSION = 1
FORMAT = "commune-desk-bundle"
FORMAT_VERSION = 1
SIGN_CONTEXT = b"commune-desk bundle v1\0"
WRAP_INFO = b"commune-desk bundle key wrap v1"
MAX_MANIFEST = 4 * 1024 * 1024
MAX_PARTS = 100_000
SUFFIX = ".cdb"


class BundleError(Exception):
    """A bundle that must be refused; ``reason`` is a translated sentence, ``code`` a key."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _compress_level(size: int) -> int:
    # zstd-19 for a normal day's bundle (the slow link is the cost: ~1 s of CPU for 1 MB);
    # a big first export would take minutes at 19 for a few percent: lower levels there
    if size <= 1 << 20:
        return 19
    if size <= 16 << 20:
        return 9
    return 3


def _aad(installation: str, seq: int, index: int, count: int) -> bytes:
    return f"commune-desk part|{installation}|{seq}|{index}|{count}".encode()


def _nonce(index: int) -> bytes:
    return b"\0\0\0\0" + index.to_bytes(8, "big")


def _kek(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=WRAP_INFO).derive(shared)


def wrap_key(key: bytes, recipient_box_public: bytes) -> dict[str, str]:
    eph = X25519PrivateKey.generate()
    epk = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_box_public))
    nonce = os.urandom(12)
    wrapped = AESGCM(_kek(shared, epk, recipient_box_public)).encrypt(nonce, key, WRAP_INFO)
    return {"alg": "X25519-HKDF-SHA256+AES-256-GCM", "epk": b64(epk), "nonce": b64(nonce),
            "wrapped_key": b64(wrapped), "body": "zstd+AES-256-GCM"}


def unwrap_key(enc: dict[str, Any], identity: Identity) -> bytes:
    try:
        epk = unb64(enc["epk"])
        shared = identity.box_key().exchange(X25519PublicKey.from_public_bytes(epk))
        return AESGCM(_kek(shared, epk, identity.box_public)).decrypt(unb64(enc["nonce"]),
                                                                     unb64(enc["wrapped_key"]), WRAP_INFO)
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise BundleError("decrypt", _("Không mở được khóa của gói: gói không gửi cho máy này hoặc đã bị sửa.")) from exc


@dataclass
class Built:
    data: bytes           # the whole file
    manifest: dict[str, Any]
    bundle_hash: str
    head_size: int        # bytes up to and including the part count
    part_offsets: list[tuple[int, int]]  # (offset, length) of each part's ciphertext in ``data``


def build(identity: Identity, *, body: bytes, recipient_installation: uuid.UUID, recipient_box_public: bytes,
          header: dict[str, Any], part_size: int) -> Built:
    """Compress, encrypt, split and sign ``body`` (JSON lines) into one bundle file.

    ``header`` carries the manifest fields the caller knows (kind, office, seq, prev_hash,
    counts, changes, schema, down_ack)."""
    compressed = zstandard.ZstdCompressor(level=_compress_level(len(body)), threads=-1 if len(body) > 1 << 20 else 0) \
        .compress(body)
    key = AESGCM.generate_key(bit_length=256)
    aes = AESGCM(key)
    slice_size = max(1024, int(part_size) - 16)
    slices = [compressed[i:i + slice_size] for i in range(0, len(compressed), slice_size)] or [b""]
    installation = str(identity.installation_id)
    seq = int(header["seq"])
    parts = [aes.encrypt(_nonce(i), s, _aad(installation, seq, i, len(slices))) for i, s in enumerate(slices)]
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "installation_id": installation, "recipient": str(recipient_installation),
        "created_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "compression": "zstd", "body_bytes": len(body), "compressed_bytes": len(compressed),
        **header,
        "parts": [{"size": len(p), "sha256": hashlib.sha256(p).hexdigest()} for p in parts],
        "encryption": wrap_key(key, recipient_box_public),
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    signature = identity.sign(SIGN_CONTEXT + manifest_bytes)
    chunks = [MAGIC, bytes([CONTAINER_VERSION]), struct.pack(">I", len(manifest_bytes)), manifest_bytes,
              struct.pack(">H", len(signature)), signature, struct.pack(">I", len(parts))]
    head_size = sum(len(c) for c in chunks)
    offsets = []
    pos = head_size
    for p in parts:
        chunks.append(struct.pack(">Q", len(p)))
        pos += 8
        offsets.append((pos, len(p)))
        chunks.append(p)
        pos += len(p)
    return Built(b"".join(chunks), manifest, hashlib.sha256(manifest_bytes).hexdigest(), head_size, offsets)


@dataclass
class Parsed:
    """A bundle whose structure was read (nothing is trusted yet)."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    parts: list[memoryview]

    @property
    def bundle_hash(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def installation_id(self) -> str:
        return str(self.manifest.get("installation_id"))

    @property
    def seq(self) -> int:
        return int(self.manifest["seq"])


def _bad(code: str, reason: str) -> BundleError:
    return BundleError(code, reason)


def parse(data: bytes) -> Parsed:
    """Read the container; refuse anything that is not exactly a well-formed bundle."""
    view = memoryview(data)
    if len(data) < 9 or bytes(view[:8]) != MAGIC:
        raise _bad("not_bundle", _("Tệp này không phải gói đồng bộ của commune_desk."))
    if data[8] != CONTAINER_VERSION:
        raise _bad("version", _("Gói dùng định dạng {v} mà phiên bản này chưa đọc được; hãy cập nhật phần mềm.")
                   .format(v=data[8]))
    pos = 9

    def take(n: int) -> memoryview:
        nonlocal pos
        if n < 0 or pos + n > len(data):
            raise _bad("truncated", _("Gói bị cắt cụt (thiếu dữ liệu ở cuối tệp)."))
        chunk = view[pos:pos + n]
        pos += n
        return chunk

    (mlen,) = struct.unpack(">I", take(4))
    if mlen > MAX_MANIFEST:
        raise _bad("damaged", _("Phần mô tả của gói bị hỏng."))
    manifest_bytes = bytes(take(mlen))
    (slen,) = struct.unpack(">H", take(2))
    signature = bytes(take(slen))
    (count,) = struct.unpack(">I", take(4))
    if count > MAX_PARTS:
        raise _bad("damaged", _("Phần mô tả của gói bị hỏng."))
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad("damaged", _("Phần mô tả của gói bị hỏng.")) from exc
    parts = []
    for _i in range(count):
        (plen,) = struct.unpack(">Q", take(8))
        parts.append(take(plen))
    if pos != len(data):
        raise _bad("trailing", _("Gói có dữ liệu thừa sau phần cuối: tệp đã bị sửa hoặc ghép sai."))
    if manifest.get("format") != FORMAT:
        raise _bad("not_bundle", _("Tệp này không phải gói đồng bộ của commune_desk."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad("version", _("Gói dùng định dạng {v} mà phiên bản này chưa đọc được; hãy cập nhật phần mềm.")
                   .format(v=manifest.get("format_version")))
    return Parsed(manifest, manifest_bytes, signature, parts)


def check_signature(parsed: Parsed, sign_public: bytes) -> None:
    if not verify(sign_public, parsed.signature, SIGN_CONTEXT + parsed.manifest_bytes):
        raise _bad("signature", _("Chữ ký của gói không hợp lệ: gói đã bị sửa hoặc không do đơn vị này tạo ra."))


def check_parts(parsed: Parsed) -> None:
    """Every part present, of the announced size and hash (before anything is decrypted)."""
    listed = parsed.manifest.get("parts")
    if not isinstance(listed, list) or not listed:
        raise _bad("damaged", _("Phần mô tả của gói bị hỏng."))
    if len(parsed.parts) < len(listed):
        missing = len(listed) - len(parsed.parts)
        raise _bad("missing_part", _("Gói thiếu {n} trong {total} phần: hãy gửi lại đủ các phần.")
                   .format(n=missing, total=len(listed)))
    if len(parsed.parts) > len(listed):
        raise _bad("trailing", _("Gói có dữ liệu thừa sau phần cuối: tệp đã bị sửa hoặc ghép sai."))
    for i, (entry, part) in enumerate(zip(listed, parsed.parts, strict=True), start=1):
        if not isinstance(entry, dict) or entry.get("size") != len(part) \
                or entry.get("sha256") != hashlib.sha256(part).hexdigest():
            raise _bad("part_hash", _("Phần {i}/{n} của gói bị hỏng (mã kiểm tra không khớp).")
                       .format(i=i, n=len(listed)))


def open_body(parsed: Parsed, identity: Identity) -> bytes:
    """Decrypt and decompress the body (after the signature and the parts were checked)."""
    key = unwrap_key(parsed.manifest.get("encryption") or {}, identity)
    aes = AESGCM(key)
    count = len(parsed.parts)
    try:
        compressed = b"".join(aes.decrypt(_nonce(i), bytes(p), _aad(parsed.installation_id, parsed.seq, i, count))
                              for i, p in enumerate(parsed.parts))
    except InvalidTag as exc:
        raise _bad("decrypt", _("Không giải mã được gói: gói không gửi cho máy này hoặc đã bị sửa.")) from exc
    try:
        limit = int(parsed.manifest.get("body_bytes") or 0)
        return zstandard.ZstdDecompressor().decompress(compressed, max_output_size=max(limit, 1))
    except zstandard.ZstdError as exc:
        raise _bad("damaged", _("Nội dung của gói bị hỏng (không giải nén được).")) from exc


def reassemble(head: bytes, parts: list[bytes]) -> bytes:
    """Put a bundle uploaded in pieces (head, part 1, part 2, ...) back into one file. The
    part count is the number of pieces found, so a lost piece reads as a missing part."""
    return head[:-4] + struct.pack(">I", len(parts)) + b"".join(struct.pack(">Q", len(p)) + p for p in parts)


def split(built_or_data: Built | bytes) -> tuple[bytes, list[bytes]]:
    """The pieces a transport uploads one by one: the head, then each part."""
    data = built_or_data.data if isinstance(built_or_data, Built) else built_or_data
    parsed = parse(data)
    head_len = len(data) - sum(8 + len(p) for p in parsed.parts)
    return data[:head_len], [bytes(p) for p in parsed.parts]
