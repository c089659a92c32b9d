"""``commune-desk backup | restore | check`` as an operator runs them."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from commune_desk.cli import main
from commune_desk.paths import DB_FILENAME
from commune_desk.store import backup_crypto as crypto


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys, monkeypatch):
    """The real command line, in this process (the same parser, handlers and exit codes)."""

    def _run(data: Path, *args: str, stdin: str | None = None) -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        code = main(["--data-dir", str(data), *args])
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return _run


def procedures(data: Path) -> int:
    with sqlite3.connect(data / DB_FILENAME) as conn:
        return conn.execute("SELECT count(*) FROM procedure").fetchone()[0]


def test_backup_check_and_restore_round_trip(run, commune_dir, tmp_path):
    made = run(commune_dir, "backup", "--json")
    assert made.returncode == 0, made.stderr
    local = Path(json.loads(made.stdout)["path"])
    assert local.exists()

    out = tmp_path / "usb" / "ban-sao.cdbk"
    out.parent.mkdir()
    enc = run(commune_dir, "backup", "--out", str(out), "--passphrase-stdin", stdin="mat-khau-rat-dai\n")
    assert enc.returncode == 0, enc.stderr
    assert crypto.is_encrypted(out) and "mã hóa" in enc.stdout

    refused = run(commune_dir, "backup", "--out", str(tmp_path / "clear.sqlite3"))
    assert refused.returncode == 1 and "--plain-personal-data" in refused.stderr and "dữ liệu cá nhân" in refused.stderr
    assert not (tmp_path / "clear.sqlite3").exists()  # in clear only when asked for explicitly
    clear = run(commune_dir, "backup", "--out", str(tmp_path / "clear.sqlite3"), "--plain-personal-data")
    assert clear.returncode == 0 and "KHÔNG mã hóa" in clear.stderr  # warned before writing in clear

    checked = run(commune_dir, "check", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["database"] == "ok" and report["revision"] == report["head"]
    assert report["audit"]["problems"] == [] and report["audit"]["entries"] >= 3

    before = procedures(commune_dir)
    with sqlite3.connect(commune_dir / DB_FILENAME) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM procedure WHERE code = (SELECT min(code) FROM procedure)")
    wrong = run(commune_dir, "restore", str(out), "--passphrase-stdin", stdin="sai-mat-khau-nhe\n")
    assert wrong.returncode == 1 and "không đúng" in wrong.stderr
    assert procedures(commune_dir) == before - 1
    restored = run(commune_dir, "restore", str(out), "--passphrase-stdin", "--json", stdin="mat-khau-rat-dai\n")
    assert restored.returncode == 0, restored.stderr
    assert procedures(commune_dir) == before
    assert "-restore-" in json.loads(restored.stdout)["before_restore"]
    assert run(commune_dir, "check").returncode == 0


def test_restore_refuses_a_file_that_is_not_a_commune_desk_database(run, commune_dir, tmp_path):
    bogus = tmp_path / "hoso.sqlite3"
    bogus.write_text("đây không phải cơ sở dữ liệu", encoding="utf-8")
    result = run(commune_dir, "restore", str(bogus))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "không phải là bản sao lưu hợp lệ của commune_desk" in result.stderr
    assert run(commune_dir, "check").returncode == 0


def test_check_finds_a_tampered_audit_trail(run, commune_dir):
    assert run(commune_dir, "backup").returncode == 0  # adds an entry after setup's
    with sqlite3.connect(commune_dir / DB_FILENAME) as conn:
        conn.execute("DROP TRIGGER audit_entry_no_delete")
        conn.execute("DELETE FROM audit_entry WHERE seq = 1")
    result = run(commune_dir, "check")
    assert result.returncode == 1
    assert "Nhật ký kiểm tra có dấu hiệu bị can thiệp" in result.stderr


def test_check_finds_a_damaged_file_and_names_the_good_backup(run, commune_dir):
    made = json.loads(run(commune_dir, "backup", "--json").stdout)
    with open(commune_dir / DB_FILENAME, "r+b") as fh:
        fh.seek(8192)
        fh.write(b"\x00\xff" * 4096)
    result = run(commune_dir, "check")
    assert result.returncode == 1
    assert "bị hỏng" in result.stderr and made["path"] in result.stderr
    fixed = run(commune_dir, "restore", made["path"])
    assert fixed.returncode == 0, fixed.stderr
    assert "giữ lại" in fixed.stdout
    assert run(commune_dir, "check", "--full").returncode == 0


def test_check_reports_a_schema_behind_the_release(run, data_dir):
    from commune_desk.store import migrate
    from commune_desk.store.engine import make_engine, sqlite_url

    engine = make_engine(sqlite_url(data_dir))
    migrate.upgrade(engine, revision="0003")
    engine.dispose()
    result = run(data_dir, "check")
    assert result.returncode == 1 and "0003" in result.stderr
