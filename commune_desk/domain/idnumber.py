"""Personal ID numbers (FACTS.md 8.2): the 12-digit số định danh cá nhân and the old
9-digit CMND, validation and masking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Birth-registration province codes of the 63-province list (AAA = "0" + 2 digits).
PROVINCE_CODES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
    "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
    "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
    "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
    "089", "091", "092", "093", "094", "095", "096",
})


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    kind: str | None = None        # "cccd" (12 digits) | "cmnd" (old 9 digits)
    problem: str | None = None     # a key: length, digits, province, century, birth_year


def check_id_number(value: str, dob: dt.date | None = None) -> IdCheck:
    """Validate an ID number; with a date of birth, also the century/sex digit and the year."""
    value = (value or "").strip().replace(" ", "")
    if not value.isdigit():
        return IdCheck(False, problem="digits")
    if len(value) == 9:
        return IdCheck(True, "cmnd")
    if len(value) != 12:
        return IdCheck(False, problem="length")
    if value[:3] not in PROVINCE_CODES:
        return IdCheck(False, "cccd", "province")
    century_digit = int(value[3])
    century = 1900 + 100 * (century_digit // 2)
    if dob is not None:
        if dob.year // 100 * 100 != century:
            return IdCheck(False, "cccd", "century")
        if dob.year % 100 != int(value[4:6]):
            return IdCheck(False, "cccd", "birth_year")
    return IdCheck(True, "cccd")


def birth_year(value: str) -> int | None:
    """The birth year a 12-digit number encodes."""
    if len(value) != 12 or not value.isdigit():
        return None
    return 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])


def mask(value: str | None) -> str:
    """``001092001234`` -> ``0010****1234``: enough to tell people apart at the desk."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    keep_head = 4 if len(value) >= 12 else 2
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]
