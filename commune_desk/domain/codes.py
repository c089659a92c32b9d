"""Dossier codes (FACTS.md 2.1): ``<unit identifier>-YYMMDD-XXXX``.

Two reception points of one office must never issue the same code. Each installation has a
reception-point number P (0–9, chosen at setup) and owns the block P000–P999 of the day's
four-digit sequence: point 0 issues 0001–0999, point 1 issues 1000–1999, and so on. A single
desk (point 0) therefore prints the familiar 0001, 0002, ...; 999 dossiers a day per point
is far above what a commune receives.
"""

from __future__ import annotations

import datetime as dt
import re

PER_POINT = 1000


class SequenceExhausted(ValueError):
    pass


def day_key(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def sequence_number(point: int, n: int) -> int:
    """The n-th dossier of the day (n from 1) at reception point ``point``."""
    if not 0 <= point <= 9:
        raise ValueError("reception point must be 0..9")
    number = point * PER_POINT + n if point else n
    if n < 1 or number >= (point + 1) * PER_POINT:
        raise SequenceExhausted(f"reception point {point} has used its {PER_POINT - 1} numbers today")
    return number


def dossier_code(unit_id: str, day: dt.date, point: int, n: int) -> str:
    return f"{unit_id}-{day_key(day)}-{sequence_number(point, n):04d}"


CODE_RE = re.compile(r"^(?P<unit>[A-Z0-9.]+)-(?P<day>\d{6})-(?P<seq>\d{4})$")


def parse_code(code: str) -> tuple[str, dt.date, int] | None:
    m = CODE_RE.match(code or "")
    if not m:
        return None
    try:
        day = dt.datetime.strptime(m["day"], "%y%m%d").date()
    except ValueError:
        return None
    return m["unit"], day, int(m["seq"])
