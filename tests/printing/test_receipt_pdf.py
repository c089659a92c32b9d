"""Form 01 as a real PDF: every field readable with its diacritics, both copies, A5 (A4 on
request), a QR code that decodes to the dossier code, written atomically."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from commune_desk.domain.calendar import to_utc
from commune_desk.errors import NotFound, ValidationError
from commune_desk.services import documents, intake
from commune_desk.store.models import AuditEntry, Dossier

RECEIVED = to_utc(dt.datetime(2026, 3, 4, 9, 5))


def receive(ctx, **changes):
    proc = intake.procedure_by_code(ctx, "1.004746")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    lines[0].count = 2
    values = dict(procedure_code="1.004746", name="Nguyễn Thị Đào", id_number="001190012345",
                  dob=dt.date(1990, 5, 17), phone="0912345678", address="Thôn Đồng Tâm, xã Minh Tân, tỉnh Tuyên Quang",
                  email="dao.nguyen@example.com", documents=lines, sets_count=2,
                  fees=[intake.FeeItem("Lệ phí hộ tịch", 15000)], received_at=RECEIVED, result_delivery="post")
    values.update(changes)
    return intake.receive_dossier(ctx, intake.IntakeForm(**values))


def text_of(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_every_field_is_printed_with_its_diacritics_on_both_copies(clerk_ctx, tmp_path):
    saved = receive(clerk_ctx)
    out = documents.print_form(clerk_ctx, "receipt", [saved.code], tmp_path / "receipt.pdf")
    pages = text_of(out)
    assert len(pages) == 2
    assert "Liên 1: Lưu" in pages[0] and "Liên 2: Giao người nộp hồ sơ" in pages[1]
    expected = [
        "UBND XÃ MINH TÂN", "TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Minh Tân, ngày 04 tháng 3 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {saved.code}",
        "Trung tâm Phục vụ hành chính công xã Minh Tân tiếp nhận hồ sơ của",
        "Bà Nguyễn Thị Đào", "số định danh cá nhân: 001190012345",
        "Địa chỉ: Thôn Đồng Tâm, xã Minh Tân, tỉnh Tuyên Quang", "Số điện thoại: 0912345678",
        "Email: dao.nguyen@example.com", "Nội dung yêu cầu giải quyết: Thủ tục đăng ký lại kết hôn",
        "mã thủ tục 1.004746", "1. Thành phần hồ sơ nộp gồm", "Tờ khai đăng ký lại kết hôn theo mẫu",
        "Bản chính", "Bản sao", "Xuất trình", "2. Số lượng hồ sơ: 02 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định: 05 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 04 tháng 3 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 11 tháng 3 năm 2026",
        "6. Đăng ký nhận kết quả tại: địa chỉ của người nộp hồ sơ, qua dịch vụ bưu chính công ích",
        "Phí, lệ phí: 15.000 đồng", "Vào Sổ theo dõi hồ sơ, Quyển số: 01", "Số thứ tự: 01",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", clerk_ctx.actor.full_name,
    ]
    for page in pages:
        missing = [e for e in expected if e not in page]
        assert not missing, missing
    assert pages[0].count("Xuất trình") == 2  # both "xuất trình" documents are listed


def test_a5_by_default_and_a4_as_a_setting(clerk_ctx, tmp_path):
    saved = receive(clerk_ctx)
    a5 = PdfReader(str(documents.print_form(clerk_ctx, "receipt", [saved.code], tmp_path / "a5.pdf")))
    assert [round(float(v)) for v in a5.pages[0].mediabox[2:]] == [420, 595]
    with clerk_ctx.db.write() as s:
        clerk_ctx.db.set_setting(s, "print.paper", "A4")
    a4 = PdfReader(str(documents.print_form(clerk_ctx, "receipt", [saved.code], tmp_path / "a4.pdf")))
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    assert len(a4.pages) == 2


def test_a_long_documents_list_keeps_each_copy_on_one_page(clerk_ctx, tmp_path):
    lines = [intake.DocumentLine(f"Giấy tờ số {i}: bản sao giấy tờ chứng minh quan hệ nhân thân, nơi cư trú và "
                                 f"các giấy tờ có liên quan theo quy định của pháp luật hiện hành", "bản sao", 1,
                                 True, True) for i in range(1, 13)]
    saved = receive(clerk_ctx, documents=lines)
    pages = text_of(documents.print_form(clerk_ctx, "receipt", [saved.code], tmp_path / "long.pdf"))
    assert len(pages) == 2
    assert "Giấy tờ số 12" in pages[0] and "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[0]


def test_several_codes_make_one_file(clerk_ctx, tmp_path):
    a, b = receive(clerk_ctx), receive(clerk_ctx, name="Lê Văn Đức", id_number="001090012345",
                                        dob=dt.date(1990, 1, 2))
    pages = text_of(documents.print_form(clerk_ctx, "receipt", [a.code, b.code], tmp_path / "two.pdf"))
    assert len(pages) == 4
    assert "Ông Lê Văn Đức" in pages[2] and b.code in pages[3]


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="needs poppler and zbar")
def test_the_qr_code_decodes_to_the_dossier_code(clerk_ctx, tmp_path):
    saved = receive(clerk_ctx)
    out = documents.print_form(clerk_ctx, "receipt", [saved.code], tmp_path / "qr.pdf")
    for page in (1, 2):
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(out),
                        str(tmp_path / f"p{page}")], check=True)
        png = next(tmp_path.glob(f"p{page}*.png"))
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
        assert decoded.stdout.strip() == saved.code


def test_the_slip_is_marked_issued_after_the_file_exists_and_the_print_is_audited(clerk_ctx, tmp_path, monkeypatch):
    saved = receive(clerk_ctx)
    folder = tmp_path / "out"
    folder.mkdir()

    def broken(_receipts, target, **_kw):
        with open(target, "wb") as fh:
            fh.write(b"%PDF-1.4 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("commune_desk.services.documents.build_receipts", broken)
    with pytest.raises(Exception, match="No space"):
        documents.print_form(clerk_ctx, "receipt", [saved.code], folder / "fail.pdf")
    assert list(folder.iterdir()) == []  # no half-written file, no temporary file left
    with clerk_ctx.db.read() as s:
        assert s.scalar(select(Dossier.slip_issued_at).where(Dossier.code == saved.code)) is None
    monkeypatch.undo()
    documents.print_form(clerk_ctx, "receipt", [saved.code], folder / "ok.pdf")
    assert [p.name for p in folder.iterdir()] == ["ok.pdf"]
    with clerk_ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == saved.code))
        assert d.slip_issued_at is not None and d.version == 2  # versioned: it travels to the hub
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "print")).one()
        assert saved.code in entry.target


def test_unknown_codes_and_kinds_are_named(clerk_ctx, tmp_path):
    saved = receive(clerk_ctx)
    with pytest.raises(NotFound, match="NOPE"):
        documents.print_form(clerk_ctx, "receipt", [saved.code, "NOPE"], tmp_path / "x.pdf")
    with pytest.raises(ValidationError, match="bogus"):
        documents.print_form(clerk_ctx, "bogus", [saved.code], tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
