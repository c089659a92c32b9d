"""The command line of issue 2: init, catalog and calendar import/export, bad input refused."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commune_desk.cli import main
from commune_desk.paths import DB_FILENAME

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COMMUNE_DESK_LANG": "vi"}
    return subprocess.run([sys.executable, "-m", "commune_desk", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_init_then_export_lists_at_least_30_procedures(tmp_path):
    data = tmp_path / "data"
    made = run("--data-dir", str(data), "init", "--role", "commune", "--office-code", "00919",
               "--office-name", "Xã Minh Tân", "--hub-name", "UBND tỉnh Tuyên Quang",
               "--admin", "admin", "--admin-name", "Nguyễn Văn An", "--password-stdin", stdin="matkhau-123\n")
    assert made.returncode == 0, made.stderr
    assert "Xã Minh Tân" in made.stdout
    out = tmp_path / "out.csv"
    exported = run("--data-dir", str(data), "catalog", "export", str(out))
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 30
    assert {"1.001193", "2.000815"} <= {r["code"] for r in rows}


def test_init_with_a_four_digit_commune_code_is_refused_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    code = main(["--data-dir", str(data), "init", "--role", "commune", "--office-code", "0919",
                 "--office-name", "Xã Minh Tân"])
    assert code == 1
    err = capsys.readouterr().err
    assert "5 chữ số" in err and err.count("\n") == 1
    assert not data.exists() or not (data / DB_FILENAME).exists()


def test_help_lists_the_foundation_commands(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for command in ("init", "catalog", "calendar"):
        assert command in text


def test_catalog_import_with_bad_rows_exits_1_and_changes_nothing(commune_dir, tmp_path, capsys):
    before = tmp_path / "before.csv"
    assert main(["--data-dir", str(commune_dir), "catalog", "export", str(before)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,field,time_kind,time_value\n"
                   "1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,same_day,\n"
                   "1.004884,Đăng ký lại khai sinh,Hộ tịch,working_days,-3\n"
                   "1.000894,Đăng ký kết hôn,Lĩnh vực lạ,same_day,\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--data-dir", str(commune_dir), "catalog", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Dòng 3" in err and "-3" in err and "Dòng 4" in err and "Lĩnh vực lạ" in err
    assert err.count("\n") == 1
    after = tmp_path / "after.csv"
    assert main(["--data-dir", str(commune_dir), "catalog", "export", str(after)]) == 0
    assert after.read_bytes() == before.read_bytes()


def test_catalog_and_calendar_round_trip_with_json(commune_dir, tmp_path, capsys):
    import json

    out = tmp_path / "danhmuc.xlsx"
    assert main(["--data-dir", str(commune_dir), "catalog", "export", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["procedures"] >= 30
    assert main(["--data-dir", str(commune_dir), "catalog", "import", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["created"] == summary["updated"] == 0 and summary["unchanged"] >= 30

    days = tmp_path / "lich.csv"
    days.write_text("date,kind,note\n2027-02-13,work,Làm bù Tết 2027\n2027-02-11,off,Nghỉ Tết\n", encoding="utf-8")
    assert main(["--data-dir", str(commune_dir), "calendar", "import", str(days)]) == 0
    assert "2 ngày mới" in capsys.readouterr().out
    back = tmp_path / "lich2027.xlsx"
    assert main(["--data-dir", str(commune_dir), "calendar", "export", str(back), "--year", "2027"]) == 0
    from openpyxl import load_workbook

    rows = list(load_workbook(back).active.iter_rows(values_only=True))
    assert rows == [("date", "kind", "note"), ("2027-02-11", "off", "Nghỉ Tết"),
                    ("2027-02-13", "work", "Làm bù Tết 2027")]


def test_calendar_import_with_a_bad_row_exits_1(commune_dir, tmp_path, capsys):
    days = tmp_path / "lich.csv"
    days.write_text("date,kind,note\n2027-02-13,work,ok\n31/02/2027,off,sai ngày\n", encoding="utf-8")
    assert main(["--data-dir", str(commune_dir), "calendar", "import", str(days)]) == 1
    err = capsys.readouterr().err
    assert "Dòng 3" in err and "31/02/2027" in err
    out = tmp_path / "all.csv"
    assert main(["--data-dir", str(commune_dir), "calendar", "export", str(out), "--year", "2027"]) == 0
    assert out.read_text(encoding="utf-8-sig").strip() == "date,kind,note"


def test_commands_before_setup_say_so(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "catalog", "export", str(data_dir / "x.csv")]) == 1
    assert "commune-desk init" in capsys.readouterr().err
