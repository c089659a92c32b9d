"""The forms' fixed font subset: every Vietnamese letter coded the same way in each PDF, its
font program cut and compressed once per process; text outside it still prints."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from commune_desk.printing import fonts
from commune_desk.printing.fonts import FORM_CHARACTERS, font_name, seed_form_fonts

PANGRAM = "Thủ tục đăng ký khai sinh — Nguyễn Thị Đào, ỳ ỷ ỹ ỵ Ặ Ữ Ợ Ỡ “số” 15.000 đồng…"


def write(path, text: str, *, seeded: bool = True) -> str:
    c = canvas.Canvas(str(path))
    if seeded:
        seed_form_fonts(c)
    for i, face in enumerate(("regular", "bold", "italic")):
        c.setFont(font_name(face), 12)
        c.drawString(40, 700 - 20 * i, text)
    c.showPage()
    c.save()
    return " ".join(PdfReader(str(path)).pages[0].extract_text().split())


def test_every_vietnamese_letter_is_in_the_fixed_subset():
    font = pdfmetrics.getFont(font_name())
    missing = [ch for ch in FORM_CHARACTERS if ord(ch) not in font.face.charToGlyph and ch != "\u2003"]
    assert not missing
    for letter in "ăâđêôơưĂÂĐÊÔƠƯ" + "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ":
        assert letter in FORM_CHARACTERS and letter.upper() in FORM_CHARACTERS


def test_seeded_pdfs_read_back_and_share_one_font_program(tmp_path, monkeypatch):
    font = pdfmetrics.getFont(font_name())
    write(tmp_path / "warm.pdf", PANGRAM)  # the program of the fixed subset is made here, once
    cut: list[int] = []
    real = font._make_subset
    monkeypatch.setattr(font, "_make_subset", lambda subset: cut.append(len(subset)) or real(subset))
    for i in range(3):
        assert PANGRAM in write(tmp_path / f"slip{i}.pdf", PANGRAM)
    assert cut == []  # no subset cut again for these three PDFs
    assert PdfReader(str(tmp_path / "slip0.pdf")).pages[0].extract_text() == \
        PdfReader(str(tmp_path / "slip2.pdf")).pages[0].extract_text()


@pytest.mark.parametrize("name", ["Müller Çağla", "José Ñúñez", "Żółć"])
def test_a_name_outside_the_set_still_prints(tmp_path, name):
    text = f"Ông/Bà {name}, xã Minh Tân"
    assert text in write(tmp_path / "foreign.pdf", text)
    assert text in write(tmp_path / "plain.pdf", text, seeded=False)


def test_an_unseeded_pdf_is_made_as_reportlab_makes_it(tmp_path):
    """The bare path (other documents, and the benchmark's baseline) keeps per-PDF subsets."""
    short = "Đào"
    write(tmp_path / "plain.pdf", short, seeded=False)
    write(tmp_path / "seeded.pdf", short)
    assert (tmp_path / "plain.pdf").stat().st_size < (tmp_path / "seeded.pdf").stat().st_size
    assert fonts.FormFont in type(pdfmetrics.getFont(font_name())).__mro__
