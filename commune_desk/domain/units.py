"""Administrative units after the 2025 reform (34 provinces, 3,321 communes), from the
``vietnam-provinces`` package, and the rules for an office's code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Unit:
    code: str           # 5-digit commune code or 2-digit province code
    name: str
    province_code: str
    province_name: str


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    from vietnam_provinces import Province

    return {f"{int(p.code):02d}": p.name for p in Province.iter_all()}


@lru_cache(maxsize=1)
def communes() -> tuple[Unit, ...]:
    from vietnam_provinces import Ward

    provinces = _provinces()
    out = []
    for w in Ward.iter_all():
        pcode = f"{int(w.province_code):02d}"
        out.append(Unit(f"{int(w.code):05d}", w.name, pcode, provinces.get(pcode, "")))
    return tuple(sorted(out, key=lambda u: (u.province_code, u.name)))


def provinces() -> list[Unit]:
    return [Unit(code, name, code, name) for code, name in sorted(_provinces().items())]


def find_commune(code: str) -> Unit | None:
    return next((u for u in communes() if u.code == code), None)


def find_province(code: str) -> Unit | None:
    name = _provinces().get(code)
    return Unit(code, name, code, name) if name else None


COMMUNE_CODE = re.compile(r"^\d{5}$")
HUB_CODE = re.compile(r"^\d{2,3}$")


def office_code_problem(role: str, code: str) -> str | None:
    """None if ``code`` fits ``role``; otherwise which rule it breaks (a key for the message)."""
    code = (code or "").strip()
    if role == "commune":
        return None if COMMUNE_CODE.match(code) else "commune_code"
    if role == "hub":
        return None if HUB_CODE.match(code) else "hub_code"
    return "role"
