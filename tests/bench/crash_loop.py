"""The full power-cut run of issue 8: 200 SIGKILLs at random moments while a child process
saves dossiers through the real desk service (up to 1,000 per child).

    python tests/bench/crash_loop.py [--kills 200] [--seed 1] [--data DIR]

Prints the counts for the report; exits 1 if any check failed."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import crash_harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=1.5)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="crash-loop-"))
    data.mkdir(parents=True, exist_ok=True)
    crash_harness.make_office(data)
    log = None if args.quiet else (lambda line: print(line, flush=True))
    out = crash_harness.run_loop(data, args.kills, seed=args.seed, max_delay=args.max_delay, chain_every=10, log=log)
    rows = [
        ("children killed with SIGKILL", out.kills),
        ("  of which before the first save (opening the database)", out.killed_before_ready),
        ("children that finished all saves", out.finished_children),
        ("saves returned to the clerk", out.saves_returned),
        ("dossiers in the database at the end", out.dossiers_stored),
        ("integrity_check failures", len(out.integrity_failures)),
        ("returned saves missing after a kill", len(out.lost)),
        ("dossiers without their outbox row", out.outbox_missing),
        ("audit chain problems", len(out.chain_problems)),
        ("seconds", round(out.seconds, 1)),
    ]
    width = max(len(k) for k, _v in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("RESULT:", "ok" if out.ok else "FAILED")
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
