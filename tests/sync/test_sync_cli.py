"""The sync and hub sub-commands (DESIGN.md section 4): exit 0 on success, 1 with one line on
stderr for bad input (nothing written), --json for machines."""

from __future__ import annotations

import json

from sync_helpers import add_dossiers, admin

from commune_desk.cli import main
from commune_desk.services.context import Database


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sync_cli_folder_round_trip(commune_dir, hub_dir, tmp_path, capsys, monkeypatch):
    c, h = ["--data-dir", commune_dir], ["--data-dir", hub_dir]
    db = Database.open(commune_dir)
    add_dossiers(admin(db), 4)
    db.close()

    code, out, err = run(capsys, *c, "sync", "export", "--out", tmp_path / "usb")
    assert code == 1 and "chưa đăng ký với cấp trên" in err and err.count("\n") == 1
    assert not (tmp_path / "usb").exists() or not list((tmp_path / "usb").glob("*.cdb"))

    code, out, _ = run(capsys, *h, "hub", "invite", "--out", tmp_path / "hub.json")
    assert code == 0 and "Dấu vân tay của cấp trên" in out
    code, out, _ = run(capsys, *c, "sync", "enroll", tmp_path / "hub.json", "--out", tmp_path / "req.json", "--json")
    fingerprint = json.loads(out)["fingerprint"]

    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    code, _, err = run(capsys, *h, "hub", "enroll", tmp_path / "req.json")
    assert code == 1 and "--fingerprint" in err
    code, _, err = run(capsys, *h, "hub", "enroll", tmp_path / "req.json", "--fingerprint", "1111 2222 3333 4444 5555")
    assert code == 1 and "không khớp" in err
    code, out, _ = run(capsys, *h, "hub", "enroll", tmp_path / "req.json", "--fingerprint", fingerprint)
    assert code == 0 and "Đã đăng ký Xã Minh Tân (00919)" in out

    code, out, _ = run(capsys, *c, "sync", "export", "--out", tmp_path / "usb")
    assert code == 0 and str(tmp_path / "usb") in out
    (bundle_file,) = (tmp_path / "usb").glob("*.cdb")

    code, out, _ = run(capsys, *h, "hub", "import", tmp_path / "usb", "--dry-run")
    assert code == 0 and "sẽ tạo" in out and not list((tmp_path / "usb").glob("*.cdack"))
    (tmp_path / "bad.cdb").write_bytes(bundle_file.read_bytes()[:-10])
    code, out, err = run(capsys, *h, "hub", "import", tmp_path / "bad.cdb")
    assert code == 1 and "bị cắt cụt" in err
    code, out, _ = run(capsys, *h, "hub", "import", tmp_path / "usb", "--json")
    report = json.loads(out)["reports"][0]
    assert code == 0 and report["status"] == "applied" and report["created"]["dossier"] == 4
    (ack,) = (tmp_path / "usb").glob("*.cdack")

    code, out, _ = run(capsys, *c, "sync", "ack", ack)
    assert code == 0 and "đã nhận đủ đến gói số 1" in out
    code, out, _ = run(capsys, *c, "sync", "status", "--json")
    status = json.loads(out)
    assert status["bundles"][0]["status"] == "acked" and status["pending_changes"] == 0

    code, out, _ = run(capsys, *h, "hub", "status", "--json")
    (row,) = json.loads(out)
    assert row["office_code"] == "00919" and row["last_seq"] == 1 and row["records"]["dossier"] == 4
    code, out, _ = run(capsys, *h, "hub", "status")
    assert "00919 Xã Minh Tân" in out and "gói cuối số 1" in out

    code, out, _ = run(capsys, *h, "hub", "export", "--office", "00919", "--out", tmp_path / "down")
    assert code == 0
    (down,) = (tmp_path / "down").glob("*.cdb")
    code, out, _ = run(capsys, *c, "sync", "import", down)
    assert code == 0 and "Đã nhập gói số 1 của UBND tỉnh Tuyên Quang" in out
    code, out, _ = run(capsys, *h, "hub", "export", "--office", "99999", "--out", tmp_path / "down")
    assert code == 1


def test_sync_cli_commune_commands_refused_at_the_hub(hub_dir, tmp_path, capsys):
    code, _, err = run(capsys, "--data-dir", hub_dir, "sync", "export", "--out", tmp_path)
    assert code == 1 and "đơn vị cấp xã" in err
