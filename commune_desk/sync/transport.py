"""Where bundles travel: a folder (USB stick, shared drive; the default, always works) or a
WebDAV server the hub already runs (nginx, Apache, Nextcloud).

Layout, the same on the server and in a shared inbox folder (one folder per commune
installation, so the server can give each commune an account that sees only its own)::

    <base>/<office code>-<last 8 hex of the installation id>/
        up/<bundle name>/part-0001 … part-NNNN   a commune's bundle, uploaded part by part
        up/<bundle name>/head                     uploaded last: the bundle is complete
        up/<bundle name>.cdb                      (or a whole bundle file, copied by hand)
        down/ack.cdack                            the hub's latest acknowledgement
        down/<bundle name>.cdb                    the hub's downstream bundles

The hub puts each uploaded bundle back together (head + parts = the one bundle file) and
imports it with every check; a commune deletes what it took from ``down/``.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import httpx

from commune_desk.errors import KnownError
from commune_desk.i18n import _

UP, DOWN, HEAD, ACK_NAME = "up", "down", "head", "ack.cdack"


class TransportError(KnownError):
    """The server or the folder could not be reached or refused an operation."""


def installation_short(installation_id: uuid.UUID | str) -> str:
    """The last 8 hex digits (the random end of a time-ordered id: the start is a clock)."""
    return str(installation_id).replace("-", "")[-8:]


def office_folder(office_code: str, installation_id: uuid.UUID | str) -> str:
    return f"{office_code}-{installation_short(installation_id)}"


def part_name(index: int) -> str:
    return f"part-{index:04d}"


@dataclass(frozen=True)
class Entry:
    name: str
    is_dir: bool
    size: int | None


class Folder:
    """A local or mounted folder with the layout above."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.label = str(self.root)

    def _path(self, rel: str) -> Path:
        return self.root.joinpath(*[p for p in rel.split("/") if p])

    def ping(self) -> None:
        if not self.root.is_dir():
            raise TransportError(_("Không thấy thư mục {path} (USB đã rút hoặc ổ mạng chưa kết nối?).")
                                 .format(path=self.root))

    def makedirs(self, rel: str) -> None:
        self._path(rel).mkdir(parents=True, exist_ok=True)

    def put(self, rel: str, data: bytes) -> None:
        target = self._path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        try:
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise TransportError(_("Không ghi được vào {path}: {error}").format(path=target, error=exc.strerror)) from exc

    def get(self, rel: str) -> bytes:
        try:
            return self._path(rel).read_bytes()
        except OSError as exc:
            raise TransportError(_("Không đọc được {path}: {error}").format(path=self._path(rel),
                                                                          error=exc.strerror)) from exc

    def list(self, rel: str) -> list[Entry]:
        folder = self._path(rel)
        if not folder.is_dir():
            return []
        return sorted((Entry(p.name, p.is_dir(), None if p.is_dir() else p.stat().st_size)
                       for p in folder.iterdir() if not p.name.endswith(".tmp")), key=lambda e: e.name)

    def delete(self, rel: str) -> None:
        path = self._path(rel)
        if path.is_dir():
            for child in path.iterdir():
                self.delete(f"{rel}/{child.name}")
            path.rmdir()
        elif path.exists():
            path.unlink()


_DAV_NS = "{DAV:}"


class WebDav:
    """A WebDAV folder over HTTP(S) (httpx). Every request is retried with exponential
    backoff on network errors and 5xx answers; a part that failed is simply sent again on
    the next attempt, so an interrupted upload resumes from the first missing part."""

    def __init__(self, base_url: str, username: str | None, password: str | None, *, timeout: float = 30.0,
                 retries: int = 4, backoff: float = 1.0, transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TransportError(_("Địa chỉ máy chủ WebDAV không hợp lệ: {url}").format(url=base_url))
        self.base_url = base_url
        self.base_path = parts.path
        self.label = base_url
        self.retries = retries
        self.backoff = backoff
        auth = httpx.BasicAuth(username, password or "") if username else None
        self.client = httpx.Client(auth=auth, timeout=timeout, transport=transport, follow_redirects=True)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> WebDav:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, rel: str) -> str:
        return self.base_url + "/".join(quote(p) for p in rel.split("/") if p)

    def _request(self, method: str, rel: str, *, ok: tuple[int, ...], **kw) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                response = self.client.request(method, self.url(rel), **kw)
            except httpx.HTTPError as exc:
                last = exc
                continue
            if response.status_code in ok:
                return response
            if response.status_code in (401, 403):
                raise TransportError(_("Máy chủ WebDAV từ chối đăng nhập (mã {code}): kiểm tra tên đăng nhập và mật "
                                       "khẩu.").format(code=response.status_code))
            if response.status_code < 500 and response.status_code != 423:
                raise TransportError(_("Máy chủ WebDAV trả lời {code} cho {method} {path}.")
                                     .format(code=response.status_code, method=method, path=rel))
            last = TransportError(_("Máy chủ WebDAV đang lỗi (mã {code}).").format(code=response.status_code))
        raise TransportError(_("Không kết nối được máy chủ {url}: {error}").format(url=self.base_url, error=last)) \
            from last

    def ping(self) -> None:
        self._request("PROPFIND", "", ok=(200, 207), headers={"Depth": "0"}, content=_PROPFIND_BODY)

    def makedirs(self, rel: str) -> None:
        """MKCOL each level (a PUT into a missing folder answers 409)."""
        path = ""
        for piece in [p for p in rel.split("/") if p]:
            path = f"{path}/{piece}" if path else piece
            self._request("MKCOL", path + "/", ok=(201, 405, 301, 200))

    def put(self, rel: str, data: bytes) -> None:
        self._request("PUT", rel, ok=(200, 201, 204), content=data)

    def get(self, rel: str) -> bytes:
        return self._request("GET", rel, ok=(200,)).content

    def delete(self, rel: str) -> None:
        self._request("DELETE", rel, ok=(200, 204, 404))

    def list(self, rel: str) -> list[Entry]:
        """The entries of a folder (PROPFIND Depth 1); an absent folder is empty."""
        target = rel.strip("/") + "/" if rel.strip("/") else ""
        try:
            response = self._request("PROPFIND", target, ok=(207, 200, 404), headers={"Depth": "1"},
                                     content=_PROPFIND_BODY)
        except TransportError:
            raise
        if response.status_code == 404:
            return []
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as exc:
            raise TransportError(_("Máy chủ WebDAV trả lời không đúng định dạng.")) from exc
        own = unquote(urlsplit(self.url(target)).path).rstrip("/")
        out = []
        for node in root.iter(f"{_DAV_NS}response"):
            href = unquote(urlsplit(node.findtext(f"{_DAV_NS}href") or "").path).rstrip("/")
            if not href or href == own:
                continue
            is_dir = node.find(f".//{_DAV_NS}collection") is not None
            length = node.findtext(f".//{_DAV_NS}getcontentlength")
            out.append(Entry(href.rsplit("/", 1)[-1], is_dir, int(length) if length and length.isdigit() else None))
        return sorted(out, key=lambda e: e.name)


_PROPFIND_BODY = (b'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop>'
                  b"<resourcetype/><getcontentlength/></prop></propfind>")


# -- the WebDAV password ------------------------------------------------------------------------

KEYRING_SERVICE = "commune-desk-webdav"
PASSWORD_ENV = "COMMUNE_DESK_WEBDAV_PASSWORD"


def keyring_usable() -> bool:
    """A real OS keyring (Windows Credential Manager, macOS Keychain, Secret Service)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return False
        if type(backend).__name__ == "ChainerBackend":
            return bool(getattr(backend, "backends", []))
        return float(getattr(backend, "priority", 0)) > 0
    except Exception:  # noqa: BLE001 - any keyring trouble means "not usable"
        return False


def _key(url: str, username: str) -> str:
    return f"{username}@{url}"


def save_password(url: str, username: str, password: str) -> bool:
    """Keep the password in the OS keyring. False when there is none: then it is asked each
    time (or read from COMMUNE_DESK_WEBDAV_PASSWORD); it is never written to the data folder."""
    if not keyring_usable():
        return False
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, _key(url, username), password)
    except Exception:  # noqa: BLE001
        return False
    return True


def load_password(url: str, username: str) -> str | None:
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if not keyring_usable():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, _key(url, username))
    except Exception:  # noqa: BLE001
        return None
