"""Checking the applicant typed at the desk (FACTS.md 8.2): each bad field gets its message."""

from __future__ import annotations

import datetime as dt

import pytest

from commune_desk.domain.applicant import Applicant, check_applicant, clean_phone, parse_date

TODAY = dt.date(2026, 2, 13)
GOOD = dict(name="Nguyễn Thị Đào", id_number="001190012345", dob=dt.date(1990, 5, 17), phone="0912345678",
            address="Thôn Đồng Tâm, xã Minh Tân", email="dao@example.com")


def errors_of(**changes) -> dict[str, str]:
    return check_applicant(**{**GOOD, **changes}, today=TODAY)[1]


def test_a_correct_applicant_has_no_errors_and_is_cleaned():
    applicant, errors = check_applicant(**{**GOOD, "name": "  nguyễn   Thị Đào ", "phone": "+84 912.345.678",
                                           "id_number": "001 190 012 345", "email": " Dao@Example.com"},
                                        today=TODAY)
    assert errors == {}
    assert applicant.name == "nguyễn Thị Đào"
    assert applicant.phone == "0912345678"
    assert applicant.id_number == "001190012345"
    assert applicant.email == "dao@example.com"


@pytest.mark.parametrize("number", ["00119001234", "0011900123456", "1234"])
def test_id_number_of_the_wrong_length(number):
    message = errors_of(id_number=number)["id_number"]
    assert "12 chữ số" in message and str(len(number)) in message


def test_id_number_with_a_province_code_that_does_not_exist():
    message = errors_of(id_number="099190012345")["id_number"]
    assert "099" in message and "không tồn tại" in message


def test_id_number_whose_century_digit_contradicts_the_date_of_birth():
    # digit 4 = 2 means born in the 2000s (male); the date of birth says 1990
    message = errors_of(id_number="001290012345")["id_number"]
    assert "thế kỷ" in message and "1990" in message


def test_id_number_whose_year_digits_contradict_the_date_of_birth():
    assert "năm sinh" in errors_of(id_number="001185012345")["id_number"]


def test_id_number_encoding_a_birth_year_in_the_future():
    assert "2099" in errors_of(id_number="001299012345", dob=None)["id_number"]


def test_old_nine_digit_number_is_accepted_and_letters_are_not():
    assert "id_number" not in errors_of(id_number="012345678")
    assert "chữ số" in errors_of(id_number="00119001234A")["id_number"]


def test_missing_id_number_and_name_are_reported():
    errors = errors_of(id_number="", name="")
    assert set(errors) == {"id_number", "name"}


@pytest.mark.parametrize("phone", ["09123x5678", "0912-ABC-678"])
def test_phone_with_letters(phone):
    assert errors_of(phone=phone)["phone"] == "Số điện thoại chỉ gồm chữ số."


@pytest.mark.parametrize("phone", ["912345678", "091234567", "091234567890", "1912345678"])
def test_phone_of_the_wrong_shape(phone):
    assert "10–11 chữ số" in errors_of(phone=phone)["phone"]


def test_phone_and_email_may_be_left_empty():
    assert errors_of(phone="", email="") == {}


def test_date_of_birth_in_the_future():
    errors = errors_of(dob=TODAY + dt.timedelta(days=1))
    assert errors["dob"] == "Ngày sinh không thể sau ngày hôm nay."
    assert "id_number" not in errors  # the ID is not blamed for a wrong date


def test_bad_email_and_name_with_digits():
    errors = errors_of(email="dao@", name="Nguyễn Văn 2")
    assert set(errors) == {"email", "name"}


def test_address_is_required():
    assert "địa chỉ" in errors_of(address="  ")["address"]


def test_honorific_from_the_sex_digit():
    assert Applicant("A", "001190012345", None, "", "", "").honorific == "Bà"
    assert Applicant("A", "001090012345", None, "", "", "").honorific == "Ông"
    assert Applicant("A", "012345678", None, "", "", "").honorific == "Ông/Bà"


def test_dates_as_typed_at_the_desk():
    assert parse_date("17/05/1990") == dt.date(1990, 5, 17)
    assert parse_date("17051990") == dt.date(1990, 5, 17)
    assert parse_date("1-2-2000") == dt.date(2000, 2, 1)
    assert parse_date(" ") is None
    for bad in ("17/5/90", "31/02/2000", "hôm qua"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_clean_phone_keeps_what_it_cannot_fix():
    assert clean_phone("84912345678") == "0912345678"
    assert clean_phone("0912 abc") == "0912abc"
