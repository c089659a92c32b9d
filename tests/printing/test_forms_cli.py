"""``commune-desk print KIND CODE... --out`` for the lifecycle's kinds, and ``print book``."""

from __future__ import annotations

from datetime import date

import pytest
from lifecycle_support import local, make_dossier
from openpyxl import load_workbook
from pypdf import PdfReader

from commune_desk.cli import main
from commune_desk.domain.roles import Role
from commune_desk.services import lifecycle as lc
from commune_desk.services.context import Actor, Ctx, Database


@pytest.fixture
def codes(commune_dir) -> dict[str, str]:
    db = Database.open(commune_dir)
    try:
        ctx = Ctx(db, Actor(None, "canbo", "Lê Thị Tiếp", Role.CLERK))
        a = make_dossier(db, local(2026, 3, 2, 9, 0))
        lc.assign(ctx, a, to_name="Hoàng Văn Hộ", at=local(2026, 3, 2, 10, 0))
        lc.request_supplement(ctx, a, items=["Tờ khai"], reason="Thiếu tờ khai", at=local(2026, 3, 3, 9, 0))
        b = make_dossier(db, local(2026, 3, 3, 9, 0), applicant="Phạm Thị Bình")
        return {"a": lc.card(ctx, a).code, "b": lc.card(ctx, b).code}
    finally:
        db.close()


def text_of(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages)


def test_print_each_kind_from_the_command_line(commune_dir, codes, tmp_path, capsys):
    for kind, code in (("supplement", codes["a"]), ("control", codes["a"]), ("rating-sheet", None)):
        out = tmp_path / f"{kind}.pdf"
        argv = ["--data-dir", str(commune_dir), "print", kind, *([code] if code else []), "--out", str(out)]
        assert main(argv) == 0, capsys.readouterr().err
        assert out.stat().st_size > 1000
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text_of(tmp_path / "supplement.pdf")


def test_print_book_for_a_period_as_pdf_and_xlsx(commune_dir, codes, tmp_path, capsys):
    out = tmp_path / "so.pdf"
    assert main(["--data-dir", str(commune_dir), "print", "book", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    text = text_of(out)
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text and codes["a"] in text and codes["b"] in text
    xlsx = tmp_path / "so.xlsx"
    argv = ["--data-dir", str(commune_dir), "print", "book", "--from", "01/03/2026", "--to", "31/03/2026",
            "--out", str(xlsx), "--json"]
    capsys.readouterr()
    assert main(argv) == 1 and not xlsx.exists()  # names and addresses in clear only when asked for
    assert "--plain-personal-data" in capsys.readouterr().err
    assert main([*argv, "--plain-personal-data"]) == 0
    assert str(xlsx) in capsys.readouterr().out
    values = [c for row in load_workbook(xlsx).active.iter_rows(values_only=True) for c in row]
    assert codes["a"] in values and codes["b"] in values
    assert date(2026, 3, 2) in [v.date() if hasattr(v, "date") else v for v in values]


def test_bad_print_requests_exit_1_with_one_line(commune_dir, codes, tmp_path, capsys):
    cases = [
        (["print", "apology", codes["b"]], "chưa có bước"),
        (["print", "book", "--from", "2026-03-31", "--to", "2026-03-01"], "trước ngày bắt đầu"),
        (["print", "refusal", "000.00.19.H56-260101-9999"], "Không có hồ sơ"),
    ]
    for argv, message in cases:
        out = tmp_path / "x.pdf"
        assert main(["--data-dir", str(commune_dir), *argv, "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
        assert not out.exists()
