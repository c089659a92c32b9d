"""Encrypted backup copies (``.cdbk``): what leaves the machine on a USB stick or a network
folder holds every citizen's ID number, so it is encrypted.

- Key: scrypt (N=2^15, r=8, p=1, 32 MiB of memory per guess) from a passphrase the
  administrator sets; the salt and parameters are in each file's header, so the passphrase
  alone opens a copy on a new machine after the old one died.
- Cipher: AES-256-GCM over 1 MiB chunks, each with a fresh random nonce. The associated data
  binds every chunk to the header, its index and whether it is the last one, so a chunk that
  is swapped, dropped or cut off is refused, not silently restored.
- The header carries a short key check, so a wrong passphrase is told apart from a damaged file.

Layout: MAGIC, header length (4 bytes, big-endian), header JSON, then chunks of
``length (4) | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from commune_desk.errors import KnownError
from commune_desk.i18n import _

MAGIC = b"COMMUNE_DESK_BACKUP\x01"
CHUNK = 1 << 20
SCRYPT = {"n": 1 << 15, "r": 8, "p": 1}
MIN_PASSPHRASE = 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _key_check(key: bytes) -> str:
    return _b64(hmac.new(key, b"commune_desk backup key check", hashlib.sha256).digest()[:16])


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise KnownError(_("Mật khẩu mã hóa bản sao lưu phải có ít nhất {n} ký tự.").format(n=MIN_PASSPHRASE))


def new_key_record(passphrase: str) -> dict[str, Any]:
    """What the office stores (setting ``backup.key``) to encrypt copies without asking each time.

    It holds the derived key, not the passphrase; it lives in the office database, which is
    on this machine anyway (the threat is the copy that leaves it)."""
    check_passphrase_strength(passphrase)
    salt = os.urandom(16)
    key = derive(passphrase, salt, **SCRYPT)
    return {"kdf": "scrypt", "salt": _b64(salt), **SCRYPT, "key": _b64(key), "check": _key_check(key)}


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return header_digest + struct.pack(">Q?", index, final)


def encrypt_file(src: Path, dest: Path, key_record: dict[str, Any]) -> str:
    """Encrypt ``src`` into ``dest``; returns the SHA-256 of the plaintext (for verifying)."""
    key = _unb64(key_record["key"])
    header = json.dumps({"v": 1, "kdf": {"name": "scrypt", "salt": key_record["salt"], "n": key_record["n"],
                                         "r": key_record["r"], "p": key_record["p"]},
                         "check": key_record["check"], "chunk": CHUNK, "name": Path(src).name},
                        sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(header).digest()
    aead = AESGCM(key)
    plain_hash = hashlib.sha256()
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        fout.write(MAGIC + struct.pack(">I", len(header)) + header)
        index = 0
        chunk = fin.read(CHUNK)
        while True:
            following = fin.read(CHUNK) if chunk else b""
            final = not following
            plain_hash.update(chunk)
            nonce = os.urandom(12)
            sealed = aead.encrypt(nonce, chunk, _aad(digest, index, final))
            fout.write(struct.pack(">I", len(sealed)) + nonce + sealed)
            if final:
                break
            chunk, index = following, index + 1
        fout.flush()
        os.fsync(fout.fileno())
    return plain_hash.hexdigest()


def _read_header(fh: BinaryIO) -> tuple[dict[str, Any], bytes]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise KnownError(_("Tệp không phải là bản sao lưu mã hóa của commune_desk."))
    (length,) = struct.unpack(">I", fh.read(4))
    if length > 65536:
        raise KnownError(_("Bản sao lưu mã hóa bị hỏng (phần đầu tệp không hợp lệ)."))
    raw = fh.read(length)
    try:
        return json.loads(raw.decode("utf-8")), raw
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KnownError(_("Bản sao lưu mã hóa bị hỏng (phần đầu tệp không hợp lệ).")) from None


def _key_for(header: dict[str, Any], passphrase: str | None, key_record: dict[str, Any] | None) -> bytes:
    kdf = header["kdf"]
    if key_record and key_record.get("salt") == kdf["salt"] and key_record.get("key"):
        key = _unb64(key_record["key"])
    elif passphrase:
        key = derive(passphrase, _unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
    else:
        raise KnownError(_("Bản sao lưu này được mã hóa: hãy nhập mật khẩu mã hóa bản sao lưu."))
    if not hmac.compare_digest(_key_check(key), header.get("check", "")):
        raise KnownError(_("Mật khẩu mã hóa bản sao lưu không đúng."))
    return key


def _chunks(path: Path, passphrase: str | None, key_record: dict[str, Any] | None) -> Iterator[bytes]:
    damaged = _("Bản sao lưu mã hóa bị hỏng hoặc đã bị sửa: không giải mã được.")
    with open(path, "rb") as fh:
        header, raw = _read_header(fh)
        key = _key_for(header, passphrase, key_record)
        aead, digest, index = AESGCM(key), hashlib.sha256(raw).digest(), 0
        while True:
            head = fh.read(4)
            if len(head) < 4:
                raise KnownError(damaged)  # cut off before the final chunk
            (length,) = struct.unpack(">I", head)
            nonce, sealed = fh.read(12), fh.read(length)
            if len(sealed) != length or length > CHUNK + 64:
                raise KnownError(damaged)
            for final in (False, True):
                try:
                    plain = aead.decrypt(nonce, sealed, _aad(digest, index, final))
                    break
                except InvalidTag:
                    continue
            else:
                raise KnownError(damaged)
            yield plain
            if final:
                if fh.read(1):
                    raise KnownError(damaged)
                return
            index += 1


def decrypt_file(src: Path, dest: Path, *, passphrase: str | None = None,
                 key_record: dict[str, Any] | None = None) -> str:
    """Decrypt into ``dest`` (written whole or removed). Returns the plaintext's SHA-256."""
    plain_hash = hashlib.sha256()
    try:
        with open(dest, "wb") as fout:
            for chunk in _chunks(src, passphrase, key_record):
                plain_hash.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
    except BaseException:
        Path(dest).unlink(missing_ok=True)
        raise
    return plain_hash.hexdigest()


def plaintext_sha256(src: Path, *, key_record: dict[str, Any] | None = None, passphrase: str | None = None) -> str:
    """Authenticate every chunk and hash the plaintext without writing it anywhere."""
    plain_hash = hashlib.sha256()
    for chunk in _chunks(src, passphrase, key_record):
        plain_hash.update(chunk)
    return plain_hash.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()
