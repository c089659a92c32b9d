"""Hostile values in the intake form's fields and on the command line: a clear message (or
a real save of what is valid), never a crash, and a refused input writes nothing.

``COMMUNE_DESK_FUZZ_EXAMPLES`` sets the number of inputs (default 60); ``-s`` prints them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from commune_desk.cli import main
from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError
from commune_desk.services import intake
from commune_desk.services.context import Actor, Ctx
from commune_desk.store.models import AuditEntry, ChangeLog, Dossier, DossierEvent

EXAMPLES = int(os.environ.get("COMMUNE_DESK_FUZZ_EXAMPLES", "60"))
TRIED: Counter[str] = Counter()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
# each command-line call opens the database: fewer inputs per argument, many arguments
CLI_FUZZ = settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
SQL = ["'; DROP TABLE dossier; --", "\" OR 1=1 --", "%s%n", "{0}{name}", "=cmd|' /C calc'!A0", "NULL",
       "' UNION SELECT password_hash FROM user_account --"]
HOSTILE = st.one_of(st.text(max_size=60), st.sampled_from(SQL),
                    st.text(alphabet=st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\u202e\u200b"),
                            max_size=20),
                    st.builds(lambda c, n: c * n, st.sampled_from(["a", "Đ", "9", "😀", "\x00"]), st.integers(200, 20_000)))


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for name, n in sorted(TRIED.items()):
        print(f"\nfuzz {name}: {n} inputs")


def counts(db) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Dossier, DossierEvent, ChangeLog,
                                                                             AuditEntry))


def test_fuzz_intake_form_fields(db):
    ctx = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    documents = [dataclasses.replace(line, received=True) for line in intake.form_lines(proc)]

    @FUZZ
    @given(name=HOSTILE, id_number=st.one_of(HOSTILE, st.from_regex(r"\A0[0-9]{11}\Z")), phone=HOSTILE,
           address=HOSTILE, email=HOSTILE, note=HOSTILE, code=st.one_of(st.just(proc.code), HOSTILE),
           sets=st.integers(-5, 10**6), dob=st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))))
    def run(name, id_number, phone, address, email, note, code, sets, dob):
        TRIED["intake form"] += 1
        before = counts(db)
        form = intake.IntakeForm(procedure_code=code, name=name, id_number=id_number, dob=dob, phone=phone,
                                 address=address, email=email, note=note, sets_count=sets, documents=documents)
        try:
            saved = intake.receive_dossier(ctx, form)
        except KnownError as exc:
            assert str(exc).strip()
            assert counts(db) == before
            return
        with db.read() as s:  # a save: stored as typed (normalised), nothing injected
            row = s.get(Dossier, saved.id)
            assert row is not None and row.applicant_name and "\x00" not in row.applicant_name

    run()


CLI_CASES = {
    "find": lambda v: ["find", v],
    "find --limit": lambda v: ["find", "Nguyễn", "--limit", v],
    "print": lambda v: ["print", "receipt", v, "--out", "/nonexistent-dir/x.pdf"],
    "print kind": lambda v: ["print", v, "000.00.19.H56-261127-0001", "--out", "x.pdf"],
    "report": lambda v: ["report", v, "--out", "/nonexistent-dir/r.xlsx"],
    "restore": lambda v: ["restore", v],
    "catalog import": lambda v: ["catalog", "import", v],
    "calendar import": lambda v: ["calendar", "import", v],
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_fuzz_command_line_arguments(commune_dir, capsys, monkeypatch, case):
    before = records(commune_dir)

    @CLI_FUZZ
    @given(HOSTILE.filter(lambda v: "\x00" not in v))  # the OS itself refuses NUL in arguments
    def run(value):
        TRIED[f"cli {case}"] += 1
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        try:
            code = main(["--data-dir", str(commune_dir), *CLI_CASES[case](value)])
        except SystemExit as exc:  # argparse: bad usage
            code = exc.code
        out = capsys.readouterr()
        assert code in (0, 1, 2), code
        assert "Traceback" not in out.err
        if code == 1:
            assert out.err.startswith("commune-desk: ") and out.err.count("\n") == 1, out.err

    run()
    assert records(commune_dir) == before  # no hostile argument changed a record


def records(folder) -> str:
    """A digest of the records (procedures, calendar, dossiers, users, settings)."""
    import sqlite3

    h = hashlib.sha256()
    with sqlite3.connect(folder / "commune_desk.sqlite3") as conn:
        for table in ("procedure", "calendar_day", "dossier", "dossier_event", "user_account", "setting"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                h.update(repr(row).encode())
    return h.hexdigest()
