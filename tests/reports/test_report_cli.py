"""``commune-desk report PERIOD --out FILE.(xlsx|pdf) [--office CODE ...]``."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest
import reportdata as rd

from commune_desk.cli import main
from commune_desk.services.context import Database


@pytest.fixture
def commune_with_data(commune_dir):
    db = Database.open(commune_dir)
    rd.insert(db)
    db.close()
    return commune_dir


@pytest.fixture
def hub_with_data(hub_dir):
    db = Database.open(hub_dir)
    rd.insert(db)
    rd.insert(db, [dataclasses.replace(x, key=f"T{x.key}", office="00925") for x in rd.DOSSIERS
                   if x.office == "00919"], [])
    db.close()
    return hub_dir


def test_report_to_xlsx_and_pdf(commune_with_data, tmp_path, capsys):
    out = tmp_path / "q1.xlsx"
    assert main(["--data-dir", str(commune_with_data), "report", "2025-Q1", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert "q1.xlsx" in line and "13 hồ sơ" in line and "53,85%" in line
    ws = openpyxl.load_workbook(out)["Giải quyết TTHC"]
    assert ws["A1"].value == "UBND XÃ MINH TÂN"
    pdf = tmp_path / "q1.pdf"
    assert main(["--data-dir", str(commune_with_data), "report", "2025-Q1", "--out", str(pdf), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["received"] == 13 and data["on_time_rate"] == 53.85 and data["satisfaction"] == 38.46
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cut_off_period_from_the_command_line(commune_with_data, tmp_path, capsys):
    out = tmp_path / "q1.xlsx"
    assert main(["--data-dir", str(commune_with_data), "report", "2025-Q1", "--cutoff", "--json",
                 "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["start"], data["end"], data["totals"]["received"]) == ("2024-12-15", "2025-03-14", 10)


@pytest.mark.parametrize(("period", "message"), [
    ("2025-Q5", "Không hiểu kỳ báo cáo “2025-Q5”"),
    ("31/03/2025-01/01/2025", "Ngày kết thúc (01/01/2025) trước ngày bắt đầu (31/03/2025)."),
])
def test_bad_periods_fail_with_one_line_and_write_nothing(commune_with_data, tmp_path, capsys, period, message):
    out = tmp_path / "x.xlsx"
    assert main(["--data-dir", str(commune_with_data), "report", period, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_wrong_file_kind(commune_with_data, tmp_path, capsys):
    assert main(["--data-dir", str(commune_with_data), "report", "2025-Q1", "--out", str(tmp_path / "x.csv")]) == 1
    assert ".xlsx" in capsys.readouterr().err


def test_hub_reports_chosen_communes_and_refuses_unknown_ones(hub_with_data, tmp_path, capsys):
    out = tmp_path / "tinh.xlsx"
    assert main(["--data-dir", str(hub_with_data), "report", "2025-Q1", "--office", "00925", "--json",
                 "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["offices"] == ["00925"] and data["totals"]["received"] == 13
    assert data["freshness"]["00925"].startswith("2025-04-02")
    assert main(["--data-dir", str(hub_with_data), "report", "2025-Q1", "--out", str(out)]) == 0
    assert "27 hồ sơ" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    assert main(["--data-dir", str(hub_with_data), "report", "2025-Q1", "--office", "00919",
                 "--office", "12345", "--out", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "12345" in err and "00919 Xã Minh Tân" in err
    assert not bad.exists()
