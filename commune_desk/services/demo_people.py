"""Realistic, invented citizens for demo data: Vietnamese names with their usual frequencies,
ID numbers that validate against the date of birth, mobile numbers and addresses.

Pure Python and deterministic for a given ``random.Random``: the same seed gives the same
people. No real person's data is used; the names are common name parts combined at random.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

from commune_desk.domain.idnumber import PROVINCE_CODES
from commune_desk.domain.text import fold

# Family names with their approximate share of the population (Lê Trung Hoa's survey and later
# estimates): Nguyễn alone is about two in five.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.2), ("Huỳnh", 1.9),
    ("Phan", 4.5), ("Vũ", 2.5), ("Võ", 1.4), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.7), ("Lương", 0.5),
    ("Mai", 0.5), ("Trịnh", 0.5), ("Đào", 0.4), ("Hà", 0.6), ("Lò", 0.3), ("Ma", 0.3), ("Nông", 0.4),
    ("Triệu", 0.3), ("Hứa", 0.1), ("Chu", 0.2), ("Tạ", 0.2), ("Cao", 0.3), ("Lưu", 0.2), ("Thân", 0.1),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Ngọc",
               "Đình", "Mạnh", "Tiến", "Trung", "Gia", "Hoàng", "Anh", "Bảo", "Duy", "Thế", "Quốc")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Bích",
                 "Kim", "Thúy", "Hải", "Khánh", "Mai", "Diệu", "Tuyết", "Lan", "Bảo", "Quỳnh")
GIVEN_MALE = ("Anh", "Bình", "Cường", "Chiến", "Dũng", "Duy", "Đạt", "Đức", "Định", "Giang", "Hải",
              "Hào", "Hiếu", "Hòa", "Hoàng", "Hùng", "Hưng", "Huy", "Khang", "Khánh", "Khoa", "Khôi",
              "Kiên", "Lâm", "Long", "Lộc", "Lợi", "Luân", "Minh", "Nam", "Nghĩa", "Nguyên", "Nhân",
              "Phát", "Phong", "Phúc", "Phương", "Quân", "Quang", "Quý", "Sang", "Sơn", "Tài", "Tâm",
              "Thái", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trọng", "Trung", "Trường", "Tú",
              "Tuấn", "Tùng", "Văn", "Việt", "Vinh", "Vũ", "Đông", "Đăng", "Bảo", "Chính", "Hậu")
GIVEN_FEMALE = ("An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Cúc", "Diệp", "Dung", "Duyên", "Đào", "Giang",
                "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên",
                "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Nhi", "Oanh",
                "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thơ", "Thu", "Thủy", "Thúy", "Trang",
                "Trâm", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Đào", "Điệp", "Hoài", "Lụa")

# Hamlets (thôn, bản, tổ dân phố) of the demo commune. Invented, but named the usual way.
HAMLETS = ("Thôn Tân Lập", "Thôn Minh Khai", "Thôn Đồng Tâm", "Thôn Hòa Bình", "Thôn Thống Nhất",
           "Thôn Tiến Thắng", "Thôn Trung Tâm", "Thôn Bản Mới", "Thôn Nà Pồng", "Thôn Khuổi Hon",
           "Thôn Đoàn Kết", "Thôn Làng Chùa", "Thôn Cốc Phường", "Thôn Bó Củng", "Thôn Nà Chang",
           "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3")

# Mobile prefixes in use since the 2018 renumbering (Viettel, VinaPhone, MobiFone, Vietnamobile).
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
                   "081", "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078",
                   "079", "089", "090", "093", "056", "058", "092")

# Where births were registered: mostly the home province (old codes 008 Tuyên Quang and 002 Hà
# Giang, merged into Tuyên Quang in 2025), some from elsewhere.
HOME_PROVINCES = ("008", "002")
OTHER_PROVINCES = tuple(sorted(PROVINCE_CODES - set(HOME_PROVINCES)))

_FAMILY_CUM = tuple(accumulate(w for _n, w in FAMILY_NAMES))
_FAMILY_NAMES = tuple(n for n, _w in FAMILY_NAMES)


@dataclass(frozen=True)
class Person:
    name: str
    female: bool
    dob: dt.date
    id_number: str      # 12 digits, 9 for an old CMND, "" for none
    phone: str          # "" when not given
    address: str
    email: str


class PeopleMaker:
    """Invents citizens. ``commune`` and ``province`` name where they live."""

    def __init__(self, rng: random.Random, commune: str, province: str | None) -> None:
        self.rng = rng
        self.place = f"{commune}, {province}" if province else commune
        self._folded: dict[str, str] = {}

    def folded(self, name: str) -> str:
        """``fold(name)``, remembered: the same names come back thousands of times."""
        value = self._folded.get(name)
        if value is None:
            value = self._folded[name] = fold(name)
        return value

    def name(self, female: bool) -> str:
        rng = self.rng
        family = rng.choices(_FAMILY_NAMES, cum_weights=_FAMILY_CUM)[0]
        middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        if rng.random() < 0.12:  # a second middle name: "Nguyễn Thị Thu Hà"
            second = rng.choice(MIDDLE_FEMALE[4:] if female else MIDDLE_MALE[3:])
            if second not in (middle, given):
                return f"{family} {middle} {second} {given}"
        return f"{family} {middle} {given}"

    def id_number(self, dob: dt.date, female: bool) -> str:
        """A 12-digit number laid out as FACTS.md 8.2 says (AAA B CC DDDDDD)."""
        rng = self.rng
        province = rng.choice(HOME_PROVINCES) if rng.random() < 0.85 else rng.choice(OTHER_PROVINCES)
        century = (dob.year // 100 - 19) * 2 + (1 if female else 0)
        return f"{province}{century}{dob.year % 100:02d}{rng.randrange(1_000_000):06d}"

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10_000_000):07d}"

    def person(self, on: dt.date) -> Person:
        """An adult applicant on date ``on``."""
        rng = self.rng
        female = rng.random() < 0.52
        age_days = int(rng.triangular(18, 85, 34) * 365.25)
        dob = on - dt.timedelta(days=age_days)
        roll = rng.random()
        if roll < 0.03 and dob.year < 1990:
            id_number = f"{rng.choice(('07', '09', '16', '17')):s}{rng.randrange(10_000_000):07d}"  # old CMND
        else:
            id_number = self.id_number(dob, female)
        phone = self.phone() if rng.random() < 0.93 else ""
        house = f"Số {rng.randrange(1, 200)}, " if rng.random() < 0.3 else ""
        address = f"{house}{rng.choice(HAMLETS)}, {self.place}"
        email = ""
        if rng.random() < 0.08:
            email = f"{_ascii_handle(self.rng, female)}@gmail.com"
        return Person(self.name(female), female, dob, id_number, phone, address, email)


def _ascii_handle(rng: random.Random, female: bool) -> str:
    given = fold(rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)).replace(" ", "")
    return f"{given}{rng.randrange(70, 100)}{rng.randrange(100, 1000)}"
