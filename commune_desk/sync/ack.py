"""The hub's signed acknowledgement: what arrived, what waits, what is missing.

An acknowledgement is a signed JSON file (``keys.write_signed``) for one commune
installation. ``applied_through`` is the highest bundle number applied without a gap and
``applied_hash`` that bundle's hash (the chain makes it vouch for every earlier one);
``held`` lists bundles that arrived after a gap, ``missing`` the numbers the hub still
needs, ``rejected`` the bundles refused in the hub's last run, with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.store.base import utcnow
from commune_desk.sync.keys import Identity, read_signed, verify, write_signed

ACK_FORMAT = "commune-desk-ack"
SUFFIX = ".cdack"


@dataclass
class Ack:
    from_installation: uuid.UUID
    to_installation: uuid.UUID
    office_code: str
    applied_through: int
    applied_hash: str | None
    held: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""


def make(identity: Identity, ack: Ack) -> bytes:
    body = {"format": ACK_FORMAT, "version": 1, "from_installation": str(identity.installation_id),
            "to_installation": str(ack.to_installation), "office_code": ack.office_code,
            "applied_through": ack.applied_through, "applied_hash": ack.applied_hash,
            "held": sorted(ack.held), "missing": sorted(ack.missing), "rejected": ack.rejected,
            "created_at": utcnow().isoformat(timespec="seconds")}
    return write_signed(identity, body)


def read(data: bytes, hub_sign_public: bytes, hub_installation: uuid.UUID, me: uuid.UUID) -> Ack:
    body, signed, signature = read_signed(data, ACK_FORMAT)
    if not verify(hub_sign_public, signature, signed):
        raise KnownError(_("Chữ ký của tệp xác nhận không hợp lệ: tệp không do cấp trên đã đăng ký tạo ra, "
                           "hoặc đã bị sửa."))
    try:
        ack = Ack(from_installation=uuid.UUID(body["from_installation"]),
                  to_installation=uuid.UUID(body["to_installation"]), office_code=str(body["office_code"]),
                  applied_through=int(body["applied_through"]), applied_hash=body.get("applied_hash"),
                  held=[int(x) for x in body.get("held", [])], missing=[int(x) for x in body.get("missing", [])],
                  rejected=[dict(x) for x in body.get("rejected", [])], created_at=str(body.get("created_at", "")))
    except (KeyError, ValueError, TypeError) as exc:
        raise KnownError(_("Tệp không đúng định dạng hoặc đã bị hỏng.")) from exc
    if ack.from_installation != hub_installation:
        raise KnownError(_("Tệp xác nhận này không do cấp trên đã đăng ký tạo ra."))
    if ack.to_installation != me:
        raise KnownError(_("Tệp xác nhận này dành cho một máy khác (đơn vị {code}).").format(code=ack.office_code))
    return ack


def ranges(numbers: list[int]) -> str:
    """[7, 8, 10] -> '7–8, 10'."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)
