"""The applicant at the desk: cleaning and checking what the clerk typed.

:func:`check_applicant` returns the cleaned values and a ``field -> message`` dict, so the
window can put each message next to its field and the service can refuse to save. Fields:
``name``, ``id_number``, ``dob``, ``phone``, ``address``, ``email``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from commune_desk.domain.idnumber import birth_year, check_id_number
from commune_desk.domain.text import normalize
from commune_desk.i18n import _

FIELDS = ("name", "id_number", "dob", "phone", "address", "email")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_NAME_EXTRA = set(" '’-.")
_PHONE_SEPARATORS = str.maketrans("", "", " .-()")
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class Applicant:
    """Cleaned applicant data (what is stored)."""

    name: str
    id_number: str
    dob: dt.date | None
    phone: str
    address: str
    email: str

    @property
    def honorific(self) -> str:
        """'Ông' or 'Bà' from the ID number's century/sex digit (even: male), else 'Ông/Bà'."""
        if len(self.id_number) == 12 and self.id_number.isdigit():
            return "Bà" if int(self.id_number[3]) % 2 else "Ông"
        return "Ông/Bà"


_DATE_SPLIT = re.compile(r"[/.\-\s]+")


def parse_date(text: str | None) -> dt.date | None:
    """A date as typed at the desk: 17/05/1990, 17-5-1990, 17.05.1990 or 17051990.
    Empty gives None; anything else raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        parts = _DATE_SPLIT.split(text)
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(text)
        day, month, year = (int(p) for p in parts)
    return dt.date(year, month, day)


def clean_id_number(value: str | None) -> str:
    return re.sub(r"[\s.-]", "", value or "")


def clean_phone(value: str | None) -> str:
    """Separators dropped, +84 / 84 written as the national 0."""
    phone = (value or "").strip().translate(_PHONE_SEPARATORS)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) in (11, 12):
        phone = "0" + phone[2:]
    return phone


def name_problem(name: str) -> str | None:
    if not name:
        return _("Hãy nhập họ và tên người nộp hồ sơ.")
    if len(name) > 200:
        return _("Họ và tên quá dài (tối đa 200 ký tự).")
    if not all(ch.isalpha() or ch in _NAME_EXTRA or unicodedata.category(ch) == "Mn" for ch in name):
        return _("Họ và tên chỉ gồm chữ cái và dấu cách (không có chữ số hay ký hiệu).")
    if sum(ch.isalpha() for ch in name) < 2:
        return _("Họ và tên quá ngắn.")
    return None


def id_number_problem(id_number: str, dob: dt.date | None, today: dt.date) -> str | None:
    if not id_number:
        return _("Hãy nhập số định danh cá nhân (12 chữ số) hoặc số CMND cũ (9 chữ số).")
    check = check_id_number(id_number, dob)
    if check.ok:
        year = birth_year(id_number)
        if year is not None and year > today.year:
            return _("Số định danh ghi năm sinh {year}, sau năm hiện tại: hãy kiểm tra chữ số thứ 4–6.").format(
                year=year)
        return None
    return {
        "digits": _("Số định danh chỉ gồm chữ số."),
        "length": _("Số định danh phải có đúng 12 chữ số (CMND cũ: 9 chữ số); đã nhập {n} chữ số.").format(
            n=len(id_number)),
        "province": _("Mã tỉnh nơi đăng ký khai sinh \u201c{code}\u201d (3 chữ số đầu) không tồn tại.").format(
            code=id_number[:3]),
        "century": _("Chữ số thứ 4 (thế kỷ, giới tính) không khớp với năm sinh {year}.").format(
            year=dob.year if dob else ""),
        "birth_year": _("Chữ số thứ 5–6 ({yy}) không khớp với năm sinh {year}.").format(
            yy=id_number[4:6], year=dob.year if dob else ""),
    }.get(check.problem or "", _("Số định danh không hợp lệ."))


def dob_problem(dob: dt.date | None, today: dt.date) -> str | None:
    if dob is None:
        return None
    if dob > today:
        return _("Ngày sinh không thể sau ngày hôm nay.")
    if dob.year < OLDEST_BIRTH_YEAR:
        return _("Ngày sinh không hợp lệ (trước năm {year}).").format(year=OLDEST_BIRTH_YEAR)
    return None


def phone_problem(phone: str) -> str | None:
    if not phone:
        return None
    if not phone.isdigit():
        return _("Số điện thoại chỉ gồm chữ số.")
    if not phone.startswith("0") or not 10 <= len(phone) <= 11:
        return _("Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).")
    return None


def email_problem(email: str) -> str | None:
    if email and (len(email) > 200 or not EMAIL_RE.match(email)):
        return _("Địa chỉ email không hợp lệ (ví dụ ten@example.com).")
    return None


def check_applicant(*, name: str | None, id_number: str | None, dob: dt.date | None, phone: str | None,
                    address: str | None, email: str | None,
                    today: dt.date | None = None) -> tuple[Applicant, dict[str, str]]:
    """Clean every field and check it. The dict is empty when everything is right."""
    today = today or dt.date.today()
    applicant = Applicant(name=normalize(name), id_number=clean_id_number(id_number), dob=dob,
                          phone=clean_phone(phone), address=normalize(address),
                          email=(email or "").strip().lower())
    errors: dict[str, str] = {}
    problems = {
        "name": name_problem(applicant.name),
        "dob": dob_problem(dob, today),
        "phone": phone_problem(applicant.phone),
        "address": None if applicant.address else _("Hãy nhập địa chỉ của người nộp hồ sơ."),
        "email": email_problem(applicant.email),
    }
    # the ID number is checked against the date of birth only when that date is itself valid
    problems["id_number"] = id_number_problem(applicant.id_number, None if problems["dob"] else dob, today)
    if problems["address"] is None and len(applicant.address) > 500:
        problems["address"] = _("Địa chỉ quá dài (tối đa 500 ký tự).")
    for key in FIELDS:
        if problems.get(key):
            errors[key] = problems[key]  # type: ignore[assignment]
    return applicant, errors
