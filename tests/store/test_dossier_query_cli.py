"""``commune-desk find`` and ``commune-desk demo`` from the command line."""

from __future__ import annotations

import datetime as dt
import json

from dossier_query_helpers import add_dossier

from commune_desk.cli import main
from commune_desk.paths import DB_FILENAME


def test_find_by_name_without_diacritics(commune_dir, capsys):
    from commune_desk.services.context import Database

    db = Database.open(commune_dir)
    add_dossier(db, name="Nguyễn Thị Đào", code="000.00.19.H56-261120-0007", id_number="008190012345",
                phone="0912345678", status="processing", due=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC))
    add_dossier(db, name="Lê Văn Tám", code="000.00.19.H56-261120-0008", id_number="008090012399")
    db.close()
    assert main(["--data-dir", str(commune_dir), "find", "nguyen thi dao"]) == 0
    out = capsys.readouterr().out
    assert "000.00.19.H56-261120-0007" in out and "Nguyễn Thị Đào" in out
    assert "0081****2345" in out and "008190012345" not in out
    assert "QUÁ HẠN" in out and "Lê Văn Tám" not in out


def test_find_json(commune_dir, capsys):
    from commune_desk.services.context import Database

    db = Database.open(commune_dir)
    add_dossier(db, name="Đỗ Văn Đức", code="000.00.19.H56-261121-0001", phone="0387654321")
    db.close()
    assert main(["--data-dir", str(commune_dir), "find", "0387 654 321", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == ["000.00.19.H56-261121-0001"]
    assert rows[0]["applicant_name"] == "Đỗ Văn Đức" and rows[0]["status"] == "processing"
    assert main(["--data-dir", str(commune_dir), "find", "khong ai", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_find_refuses_bad_input_with_one_line(commune_dir, capsys):
    assert main(["--data-dir", str(commune_dir), "find", "--limit", "0", "dao"]) == 1
    err = capsys.readouterr().err
    assert "--limit" in err and err.count("\n") == 1
    assert main(["--data-dir", str(commune_dir), "find", "..."]) == 1
    assert "Hãy nhập tên" in capsys.readouterr().err


def test_find_without_an_office_says_so(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "find", "dao"]) == 1
    assert "chưa được thiết lập" in capsys.readouterr().err


def test_demo_on_an_empty_folder_sets_up_the_commune_and_find_works(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "demo", "--dossiers", "120", "--staff", "1", "--seed", "3",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["office_code"] == "00919" and summary["office_created"] is True
    assert summary["dossiers"] == 120 and summary["events"] > 300 and summary["staff_created"] == 1
    assert (data_dir / DB_FILENAME).exists()
    assert main(["--data-dir", str(data_dir), "find", "nguyen", "--limit", "5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 0 < len(rows) <= 5 and all("Nguyễn" in r["applicant_name"] for r in rows)
    assert main(["--data-dir", str(data_dir), "demo", "--dossiers", "20", "--staff", "0"]) == 0
    out = capsys.readouterr().out
    assert "Đã tạo 20 hồ sơ mẫu" in out and "dòng/giây" in out and "admin /" not in out


def test_demo_refuses_a_negative_count(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "demo", "--dossiers", "-1"]) == 1
    assert "Số hồ sơ mẫu" in capsys.readouterr().err
    assert not (data_dir / DB_FILENAME).exists()
    assert main(["--data-dir", str(data_dir), "demo", "--staff", "500"]) == 1
    assert "Số cán bộ mẫu" in capsys.readouterr().err
