"""Every lifecycle form as the clerk prints it: the PDF's text (read back with pypdf) says
exactly what the form must say, on the right paper, in the 2025 and the 2018 set."""

from __future__ import annotations

from datetime import date

import pytest
from lifecycle_support import local, make_dossier
from openpyxl import load_workbook
from pypdf import PdfReader

from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.services import documents
from commune_desk.services import lifecycle as lc
from commune_desk.services.lifecycle_forms import export_book_xlsx

A5 = (420, 595)
A4 = (595, 842)
A4_LANDSCAPE = (842, 595)


def read(path) -> tuple[str, tuple[int, int], int]:
    reader = PdfReader(str(path))
    box = reader.pages[0].mediabox
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return text, (round(float(box.width)), round(float(box.height))), len(reader.pages)


def code_of(ctx, dossier_id) -> str:
    return lc.card(ctx, dossier_id).code


@pytest.fixture
def lived(clerk_ctx, db):
    """A dossier received before Tết 2026 that went through a supplement, a transfer to the
    province, an apology and a result; a refused one; a stopped one."""
    a = make_dossier(db, local(2026, 2, 13, 15, 30))
    lc.assign(clerk_ctx, a, to_name="Hoàng Văn Hộ", at=local(2026, 2, 23, 8, 0))
    lc.request_supplement(clerk_ctx, a, items=["Văn bản cử người giám hộ có chứng thực",
                                               "Giấy tờ chứng minh điều kiện giám hộ"],
                          reason="Văn bản cử người giám hộ chưa được chứng thực.", contact_name="Hoàng Văn Hộ",
                          contact_phone="0207 3812 345", at=local(2026, 2, 24, 10, 0))
    lc.receive_supplement(clerk_ctx, a, at=local(2026, 2, 28, 10, 0))
    lc.assign(clerk_ctx, a, to_name="Phòng Hộ tịch", to_agency="Sở Tư pháp tỉnh Tuyên Quang",
              deadline=date(2026, 3, 3), at=local(2026, 3, 2, 9, 0))
    lc.extend(clerk_ctx, a, reason="Cần xác minh nơi cư trú trước đây", new_due=date(2026, 3, 10),
              signer_name="Trần Văn Chủ", at=local(2026, 3, 3, 9, 0))
    lc.result_ready(clerk_ctx, a, result_number="15/TP-HT", signer_name="Trần Văn Chủ", at=local(2026, 3, 9, 14, 0))
    lc.return_result(clerk_ctx, a, received_by="Nguyễn Văn An", at=local(2026, 3, 10, 9, 0))
    b = make_dossier(db, local(2026, 3, 2, 9, 0), applicant="Phạm Thị Bình", id_number="008195001234")
    lc.refuse(clerk_ctx, b, reason="Không thuộc thẩm quyền của UBND xã.", at=local(2026, 3, 2, 10, 0))
    c = make_dossier(db, local(2026, 3, 3, 9, 0), applicant="Đỗ Thị Cúc", id_number="034188004321")
    lc.stop(clerk_ctx, c, reason="Gia đình cử người giám hộ khác", request_date=date(2026, 3, 4),
            signer_name="Trần Văn Chủ", at=local(2026, 3, 4, 10, 0))
    return {k: code_of(clerk_ctx, v) for k, v in (("a", a), ("b", b), ("c", c))}


def test_supplement_request_form(clerk_ctx, lived, tmp_path):
    text, size, pages = read(documents.print_form(clerk_ctx, "supplement", [lived["a"]], tmp_path / "f.pdf"))
    assert (size, pages) == (A5, 1)
    for expected in [
        "Mẫu số 02 (Thông tư số 03/2025/TT-VPCP)", "UBND XÃ MINH TÂN", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Minh Tân, ngày 24 tháng 02 năm 2026",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Mã hồ sơ: {lived['a']}",
        "Trung tâm Phục vụ hành chính công xã Minh Tân tiếp nhận hồ sơ của: Ông Nguyễn Văn An",
        "Nội dung yêu cầu giải quyết: Thủ tục đăng ký giám hộ",
        "đề nghị Ông bổ sung, hoàn thiện hồ sơ gồm những nội dung sau: 1. Văn bản cử người giám hộ có chứng thực "
        "2. Giấy tờ chứng minh điều kiện giám hộ",
        "Lý do: Văn bản cử người giám hộ chưa được chứng thực.",
        "Thời gian giải quyết được tính lại từ đầu kể từ khi nhận đủ hồ sơ.",
        "Nếu đến hết ngày 11 tháng 3 năm 2026 Ông chưa bổ sung, hoàn thiện hồ sơ thì hồ sơ sẽ được đóng",
        "liên hệ với Hoàng Văn Hộ, số điện thoại 0207 3812 345 để được hướng dẫn.",
        "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên)", "Người dùng clerk",
    ]:
        assert expected in text


def test_refusal_form(clerk_ctx, lived, tmp_path):
    text, size, _pages = read(documents.print_form(clerk_ctx, "refusal", [lived["b"]], tmp_path / "f.pdf"))
    assert size == A5
    for expected in ["Mẫu số 03 (Thông tư số 03/2025/TT-VPCP)", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                     f"Mã hồ sơ: {lived['b']}", "Bà Phạm Thị Bình",
                     "hồ sơ của Bà không đủ điều kiện để tiếp nhận, giải quyết với lý do cụ thể như sau: "
                     "- Không thuộc thẩm quyền của UBND xã.",
                     "Xin thông báo cho Bà được biết và thực hiện./.", "NGƯỜI TIẾP NHẬN HỒ SƠ"]:
        assert expected in text


def test_apology_and_extension_form(clerk_ctx, lived, tmp_path):
    text, size, _pages = read(documents.print_form(clerk_ctx, "apology", [lived["a"]], tmp_path / "f.pdf"))
    assert size == A5
    for expected in [
        "Mẫu số 04 (Thông tư số 03/2025/TT-VPCP)", "ỦY BAN NHÂN DÂN XÃ MINH TÂN", "Số: ……/PXL",
        "Minh Tân, ngày 03 tháng 3 năm 2026", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Ông Nguyễn Văn An",
        "Ngày 13 tháng 02 năm 2026, Trung tâm Phục vụ hành chính công xã Minh Tân tiếp nhận hồ sơ của Ông đề nghị "
        "giải quyết thủ tục đăng ký giám hộ;",
        "thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 05 tháng 3 năm 2026.",
        "Lý do: Cần xác minh nơi cư trú trước đây",
        "Thời gian hẹn trả kết quả lại: 17 giờ 00 phút, ngày 10 tháng 3 năm 2026.",
        "Nơi nhận: - Như trên; - Trung tâm Phục vụ hành chính công xã Minh Tân; - Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH", "Trần Văn Chủ",
    ]:
        assert expected in text


def test_stop_notice(clerk_ctx, lived, tmp_path):
    text, size, _pages = read(documents.print_form(clerk_ctx, "stop", [lived["c"]], tmp_path / "f.pdf"))
    assert size == A5
    for expected in ["Mẫu số 05 (Thông tư số 03/2025/TT-VPCP)", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
                     "Kính gửi: Bà Đỗ Thị Cúc",
                     "Ngày 04 tháng 3 năm 2026, Bà đề nghị dừng giải quyết hồ sơ nêu trên. "
                     "Lý do: Gia đình cử người giám hộ khác",
                     "thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày 04 tháng 3 năm 2026."]:
        assert expected in text


def test_control_slip_lists_each_hand_off_with_its_timeliness(clerk_ctx, lived, tmp_path):
    text, size, _pages = read(documents.print_form(clerk_ctx, "control", [lived["a"]], tmp_path / "f.pdf"))
    assert size == A5
    for expected in [
        "Mẫu số 06 (Thông tư số 03/2025/TT-VPCP)", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Cơ quan phối hợp giải quyết: Sở Tư pháp tỉnh Tuyên Quang",
        "TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "GHI CHÚ",
        # the desk forwarded on the first working day after Tết (received after 15:00): on time
        "1. Giao: Trung tâm Phục vụ hành chính công xã Minh Tân 2. Nhận: Hoàng Văn Hộ 08 giờ 00 phút, ngày "
        "23/02/2026 Người giao Người nhận Đúng hạn (hạn: 17:00 23/02/2026)",
        # the handler's deadline moved with the supplement restart (05/03): early
        "1. Giao: Hoàng Văn Hộ 2. Nhận: Phòng Hộ tịch 09 giờ 00 phút, ngày 02/03/2026 Người giao Người nhận "
        "Trước hạn (hạn: 17:00 05/03/2026)",
        # the province's step had its own deadline (03/03): late; the result came back to the desk
        "1. Giao: Phòng Hộ tịch 2. Nhận: Trung tâm Phục vụ hành chính công xã Minh Tân 14 giờ 00 phút, ngày "
        "09/03/2026 Người giao Người nhận Quá hạn (hạn: 17:00 03/03/2026)",
    ]:
        assert expected in text


def test_blank_rating_sheet_asks_no_name(clerk_ctx, tmp_path):
    text, size, _pages = read(documents.print_form(clerk_ctx, "rating-sheet", [], tmp_path / "f.pdf"))
    assert size == A4
    for expected in ["PHIẾU ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
                     "(Người đánh giá không ghi tên; thông tin được giữ bí mật)",
                     "a) Thời gian trả kết quả so với quy định □ Trước hạn □ Đúng hạn □ Quá hạn",
                     "đ) Thái độ của cán bộ, công chức", "h) Tiến độ, chất lượng dịch vụ công trực tuyến",
                     "i) Ý kiến khác:", "□ Có □ Không", "□ Hài lòng □ Không hài lòng"]:
        assert expected in text
    assert "Họ và tên" not in text and "Số định danh" not in text


def test_tracking_book_of_a_range_keeps_the_years_entry_numbers(clerk_ctx, lived, tmp_path):
    text, size, pages = read(documents.print_form(clerk_ctx, "book", ["2026-03-01", "2026-03-31"],
                                                  tmp_path / "f.pdf"))
    assert size == A4_LANDSCAPE and pages == 1
    for expected in ["Mẫu số 07 (Thông tư số 03/2025/TT-VPCP)", "SỔ THEO DÕI HỒ SƠ",
                     "Từ ngày 01/03/2026 đến ngày 31/03/2026", "Quyển số: 01", "Ngày, tháng, năm",
                     "Cơ quan chủ trì giải quyết", "Ký nhận",
                     f"02 {lived['b']}", f"03 {lived['c']}", "Từ chối giải quyết", "Dừng giải quyết"]:
        assert expected in text
    assert lived["a"] not in text   # received in February
    year, _size, _pages = read(documents.print_form(clerk_ctx, "book", ["2026"], tmp_path / "y.pdf"))
    assert "Năm 2026" in year
    assert f"01 {lived['a']} Thủ tục đăng ký giám hộ 1 Nguyễn Văn An" in year
    assert "13/02/2026 10/03/2026 23/02/2026 09/03/2026 10/03/2026" in year
    assert "Hẹn lại: 10/03/2026; Có yêu cầu bổ sung" in year


def test_tracking_book_as_xlsx(clerk_ctx, lived, tmp_path):
    out = export_book_xlsx(clerk_ctx, date(2026, 1, 1), date(2026, 12, 31), tmp_path / "so.xlsx")
    ws = load_workbook(out).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[2][0] == "SỔ THEO DÕI HỒ SƠ" and rows[3][0] == "Năm 2026"
    header = next(r for r in rows if r[0] == "STT")
    assert header[1] == "Mã hồ sơ" and "Ngày, tháng, năm" in header
    data = [r for r in rows if isinstance(r[1], str) and r[1].startswith("000.00.19.H56-")]
    assert [r[0] for r in data] == [1, 2, 3]
    assert [r[1] for r in data] == [lived["a"], lived["b"], lived["c"]]
    assert data[0][7].strftime("%d/%m/%Y") == "13/02/2026"


def test_the_2018_set_for_dossiers_received_before_july_2025(clerk_ctx, db, tmp_path):
    old = make_dossier(db, local(2025, 6, 2, 9, 0), rules_set="2018")
    lc.assign(clerk_ctx, old, to_name="Hoàng Văn Hộ", at=local(2025, 6, 2, 10, 0))
    lc.request_supplement(clerk_ctx, old, items=["Tờ khai"], reason="Thiếu tờ khai", at=local(2025, 6, 3, 9, 0))
    lc.receive_supplement(clerk_ctx, old, at=local(2025, 6, 4, 9, 0))
    lc.extend(clerk_ctx, old, reason="Chờ xác minh", new_due=date(2025, 6, 16), signer_name="Trần Văn Chủ",
              at=local(2025, 6, 5, 9, 0))
    code = code_of(clerk_ctx, old)
    text, size, _p = read(documents.print_form(clerk_ctx, "supplement", [code], tmp_path / "s.pdf"))
    assert size == A5
    assert "Mẫu số 02 (Thông tư số 01/2018/TT-VPCP)" in text
    assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in text
    assert "Yêu cầu Ông hoàn thiện hồ sơ gồm những nội dung sau: 1. Tờ khai" in text
    assert "đóng" not in text   # the 15-day closing is Decree 118/2025's
    text, _s, _p = read(documents.print_form(clerk_ctx, "apology", [code], tmp_path / "a.pdf"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text and "Mẫu số 04 (Thông tư số 01/2018/TT-VPCP)" in text
    text, _s, _p = read(documents.print_form(clerk_ctx, "control", [code], tmp_path / "c.pdf"))
    assert "Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)" in text
    text, _s, _p = read(documents.print_form(clerk_ctx, "book", ["2025-06-01", "2025-06-30"], tmp_path / "b.pdf"))
    assert "Mẫu số 06 (Thông tư số 01/2018/TT-VPCP)" in text
    lc.stop(clerk_ctx, old, reason="Đề nghị dừng", at=local(2025, 6, 6, 9, 0))
    with pytest.raises(KnownError, match="Thông tư 03/2025"):
        documents.print_form(clerk_ctx, "stop", [code], tmp_path / "x.pdf")


def test_several_dossiers_in_one_pdf_and_clear_errors(clerk_ctx, lived, tmp_path):
    _text, _size, pages = read(documents.print_form(clerk_ctx, "control", [lived["a"], lived["b"]],
                                                    tmp_path / "two.pdf"))
    assert pages == 2
    with pytest.raises(KnownError, match="chưa có bước"):
        documents.print_form(clerk_ctx, "apology", [lived["b"]], tmp_path / "x.pdf")
    with pytest.raises(NotFound):
        documents.print_form(clerk_ctx, "refusal", ["000.00.19.H56-260101-9999"], tmp_path / "x.pdf")
    with pytest.raises(ValidationError):
        documents.print_form(clerk_ctx, "book", ["2026-03-31", "2026-03-01"], tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
