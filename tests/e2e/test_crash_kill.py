"""Power cut during saves, the short run: a child saving dossiers through the real desk
service is killed with SIGKILL at random moments; after each kill the database passes
``PRAGMA integrity_check`` and holds every dossier whose save had returned (with its
outbox rows), and the audit chain is unbroken. The 200-kill run is
``python tests/bench/crash_loop.py``."""

from __future__ import annotations

import os

import crash_harness

KILLS = int(os.environ.get("COMMUNE_DESK_CRASH_KILLS", "30"))


def test_nothing_that_returned_is_lost_when_the_process_is_killed(data_dir):
    crash_harness.make_office(data_dir)
    outcome = crash_harness.run_loop(data_dir, KILLS, seed=8, max_delay=1.0, chain_every=5)
    assert outcome.integrity_failures == []
    assert outcome.lost == []
    assert outcome.outbox_missing == 0
    assert outcome.chain_problems == []
    assert outcome.kills >= KILLS * 3 // 4          # most children were really killed mid-work
    assert outcome.saves_returned > KILLS           # and they had saved something first
    assert outcome.dossiers_stored >= outcome.saves_returned
