from hypothesis import given
from hypothesis import strategies as st

from commune_desk.domain.text import fold


def test_fold_ignores_case_diacritics_and_d():
    assert fold("Nguyễn Thị  Đào") == "nguyen thi dao"
    assert fold("ĐẶNG VĂN ĐỨC") == "dang van duc"
    assert fold("kết hôn") == fold("KET HON") == "ket hon"


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once
