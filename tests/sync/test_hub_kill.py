"""A hub process killed in the middle of applying a bundle leaves nothing half-applied: the
bundle is either wholly in the database or not at all, and importing it again works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sync_helpers import add_dossiers, admin, enroll, synthetic_bundle

from commune_desk.paths import DB_FILENAME
from commune_desk.services import sync as commune_sync
from commune_desk.services import sync_hub
from commune_desk.services.context import Database
from commune_desk.store.models import Dossier
from commune_desk.store.models.sync import SyncIncoming, SyncPeer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from pathlib import Path
from commune_desk.services.context import Database
from commune_desk.services.sync_receive import receive
db = Database.open(Path(sys.argv[1]))
def progress(done, total):
    print(f"progress {done} {total}", flush=True)
report = receive(db, Path(sys.argv[2]).read_bytes(), progress=progress)
print("finished", report.status, flush=True)
"""


def test_hub_import_killed_midway_leaves_no_half_applied_bundle(db, hub_template, tmp_path):
    import shutil

    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    shutil.copy(hub_template, hub_dir / DB_FILENAME)
    hub = Database.open(hub_dir)
    commune = admin(db)
    enroll(commune, admin(hub), tmp_path)
    add_dossiers(commune, 2)
    first = commune_sync.export(commune, tmp_path / "usb").new
    sync_hub.import_paths(admin(hub), [first.path])
    big = tmp_path / "big.cdb"
    big.write_bytes(synthetic_bundle(commune, admin(hub), 16000, seq=2, prev_hash=first_hash(hub)))
    hub.close()

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(hub_dir), str(big)], stdout=subprocess.PIPE,
                            text=True, env=env)
    killed_at = None
    for line in proc.stdout:
        parts = line.split()
        if parts and parts[0] == "progress" and 0 < int(parts[1]) < int(parts[2]):
            killed_at = int(parts[1])
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert killed_at is not None, "the import finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL

    hub = Database.open(hub_dir)
    try:
        with hub.read() as s:
            assert s.scalar(select(func.count()).select_from(Dossier)) == 2, "only bundle 1's dossiers"
            assert s.scalar(select(SyncPeer.last_seq_in)) == 1
            assert s.scalars(select(SyncIncoming.seq).where(SyncIncoming.status == "applied")).all() == [1]
        report = sync_hub.import_paths(admin(hub), [big]).reports[0]
        assert report.status == "applied" and report.created["dossier"] == 16000
        with hub.read() as s:
            assert s.scalar(select(func.count()).select_from(Dossier)) == 16002
    finally:
        hub.close()


def first_hash(hub: Database) -> str:
    with hub.read() as s:
        return s.scalar(select(SyncPeer.last_hash_in))
