"""``commune-desk print receipt CODE --out f.pdf`` and its errors."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from commune_desk.cli import main
from commune_desk.domain.calendar import to_utc
from commune_desk.services import intake


def test_print_receipt_from_the_command_line(db, commune_dir, clerk_ctx, tmp_path, capsys):
    proc = intake.procedure_by_code(clerk_ctx, "2.000815")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    saved = intake.receive_dossier(clerk_ctx, intake.IntakeForm(
        procedure_code=proc.code, name="Trần Văn Bình", id_number="008085001234", dob=dt.date(1985, 3, 1),
        address="Xã Minh Tân", documents=lines, received_at=to_utc(dt.datetime(2026, 3, 4, 16, 0))))
    db.close()  # the command opens the data folder itself
    out = tmp_path / "f.pdf"
    assert main(["--data-dir", str(commune_dir), "print", "receipt", saved.code, "--out", str(out)]) == 0
    text = PdfReader(str(out)).pages[0].extract_text()
    assert saved.code in text and "Trần Văn Bình" in text
    assert main(["--data-dir", str(commune_dir), "print", "receipt", "NOPE", "--out", str(tmp_path / "g.pdf")]) == 1
    err = capsys.readouterr().err
    assert "NOPE" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "g.pdf").exists()
