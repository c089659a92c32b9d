"""Hostile files for every importer: catalog (CSV/XLSX), calendar (CSV/XLSX), staff (XLSX)
and the bundle reader. Very long strings, control characters, SQL fragments, wrong
encodings, random bytes, empty and huge files: each must end in a clear KnownError (or a
legitimate import of what was valid) and a refused file must write nothing.

``COMMUNE_DESK_FUZZ_EXAMPLES`` raises the number of inputs per importer (default 60);
run with ``-s`` to see how many inputs each importer was given."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from commune_desk.domain.roles import Role
from commune_desk.errors import KnownError
from commune_desk.services import calendar, catalog, staff_io
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store.models import Base

EXAMPLES = int(os.environ.get("COMMUNE_DESK_FUZZ_EXAMPLES", "60"))
TRIED: Counter[str] = Counter()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])

SQL = ["'; DROP TABLE procedure; --", "\" OR 1=1 --", "Robert'); DELETE FROM dossier;--", "1; ATTACH DATABASE 'x' AS y",
       "%s%s%s%n", "{0}{name}{!r}", "../../../etc/passwd", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
       "@SUM(1+1)*cmd|' /C calc'!A0", "NULL", "\\x00", "' UNION SELECT password_hash FROM user_account --"]
ODD = ["2026-13-45", "31/02/2026", "-1", "1e309", "NaN", "0x1F", "９９", "١٢٣", "00/00/0000", "9999-12-31",
       "có", "không", "x" * 33, "\u202eđảo chiều", "\u200b", "\ufeff", "Đ", "ﬁ", "😀" * 10]
CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029"), max_size=20)
HUGE = st.builds(lambda c, n: c * n, st.sampled_from(["a", "Đ", "€", "😀", ",", "\"", "\n"]),
                 st.integers(5_000, 120_000))
CELL = st.one_of(st.text(max_size=40), CONTROL, st.sampled_from(SQL), st.sampled_from(ODD), HUGE)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1258", "latin-1", "gb18030"]


def fingerprint(db: Database) -> str:
    """SHA-256 over every row of every table: equal means nothing was written."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = list(table.columns)
            key = list(table.primary_key.columns) or cols
            raw = sa.table(table.name, *[sa.column(c.name) for c in cols])
            for row in conn.execute(select(*raw.columns).order_by(*[raw.c[c.name] for c in key])):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def attempt(name: str, db: Database, call: Callable[[], object]) -> None:
    """One input: a clear refusal that wrote nothing, or a real import."""
    TRIED[name] += 1
    before = fingerprint(db)
    try:
        call()
    except KnownError as exc:
        message = str(exc)
        assert message.strip(), "an empty error message"
        assert "Traceback" not in message
        assert fingerprint(db) == before, "a refused file changed the database"
        return
    with db.engine.connect() as conn:  # an accepted file: the database is sound and nothing was injected
        assert conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
        assert conn.exec_driver_sql("SELECT count(*) FROM procedure").scalar() >= 30


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    for row in [header, *rows]:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(c))[:32_000] for c in row])
    book.save(path)


def table_files(columns: list[str]) -> st.SearchStrategy:
    """(suffix, header, rows, encoding): a header drawn from the real columns (sometimes
    wrong), and rows of hostile cells."""
    header = st.one_of(st.just(columns), st.lists(st.sampled_from(columns + ["", "ghi chú", "DROP"]), max_size=8),
                       st.lists(CELL, max_size=4))
    rows = st.lists(st.lists(CELL, max_size=len(columns) + 2), max_size=6)
    return st.tuples(st.sampled_from([".csv", ".csv", ".xlsx"]), header, rows, st.sampled_from(ENCODINGS))


def raw_files() -> st.SearchStrategy:
    """Bytes that are not what their name says: random, a truncated zip, an empty file."""
    return st.tuples(st.sampled_from([".csv", ".xlsx"]),
                     st.one_of(st.binary(max_size=2048), st.just(b""), st.just(b"PK\x03\x04" + b"\x00" * 40),
                               st.binary(min_size=1, max_size=64).map(lambda b: b"\xef\xbb\xbf" + b)))


def build(tmp: Path, spec, n: int) -> Path:
    suffix, header, rows, encoding = spec
    path = tmp / f"in-{n}{suffix}"
    if suffix == ".xlsx":
        write_xlsx(path, [str(h) for h in header], [[str(c) for c in r] for r in rows])
    else:
        write_csv(path, [str(h) for h in header], [[str(c) for c in r] for r in rows], encoding)
    return path


@pytest.fixture
def admin(db) -> Ctx:
    return Ctx(db, Actor(None, "admin", "Quản Trị", Role.ADMIN))


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for name, n in sorted(TRIED.items()):
        print(f"\nfuzz {name}: {n} inputs")


# -- catalog ------------------------------------------------------------------------------

def test_fuzz_catalog_import(admin, tmp_path):
    counter = iter(range(10**9))

    @FUZZ
    @given(st.one_of(table_files(list(catalog.COLUMNS)), raw_files()))
    def run(spec):
        n = next(counter)
        if len(spec) == 2:
            path = tmp_path / f"raw-{n}{spec[0]}"
            path.write_bytes(spec[1])
        else:
            path = build(tmp_path, spec, n)
        attempt("catalog import", admin.db, lambda: catalog.import_file(admin, path))

    run()


# -- calendar -----------------------------------------------------------------------------

def test_fuzz_calendar_import(admin, tmp_path):
    counter = iter(range(10**9))
    columns = list(calendar.COLUMNS)
    day_rows = st.lists(st.tuples(st.one_of(st.dates().map(str), st.sampled_from(ODD), CELL),
                                  st.sampled_from(["off", "work", "nghỉ", "", "OFF"]) | CELL, CELL).map(list),
                        max_size=6)
    likely = st.tuples(st.sampled_from([".csv", ".xlsx"]), st.just(columns), day_rows, st.sampled_from(ENCODINGS))

    @FUZZ
    @given(st.one_of(likely, table_files(columns), raw_files()))
    def run(spec):
        n = next(counter)
        if len(spec) == 2:
            path = tmp_path / f"raw-{n}{spec[0]}"
            path.write_bytes(spec[1])
        else:
            path = build(tmp_path, spec, n)
        attempt("calendar import", admin.db, lambda: calendar.import_file(admin, path))

    run()


# -- staff (training) ---------------------------------------------------------------------------

def test_fuzz_staff_import(admin, tmp_path):
    counter = iter(range(10**9))
    header = ["STT", "Họ và tên", "Số định danh cá nhân", "Ngày sinh", "Chức vụ", "Đơn vị", "Vị trí việc làm",
              "Ngạch", "Điện thoại", "Tình trạng", "Ghi chú"]
    staff_rows = st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=5)

    @FUZZ
    @given(st.one_of(st.tuples(st.just(".xlsx"), st.just(header), staff_rows, st.just("utf-8")),
                     table_files(header), raw_files()))
    def run(spec):
        n = next(counter)
        if len(spec) == 2:
            path = tmp_path / f"raw-{n}.xlsx"
            path.write_bytes(spec[1])
        else:
            path = build(tmp_path, (".xlsx", *spec[1:]), n)
        attempt("staff import", admin.db, lambda: staff_io.import_staff_xlsx(admin, path))

    run()


# -- empty and huge files ----------------------------------------------------------------------

IMPORTERS: dict[str, Callable[[Ctx, Path], object]] = {
    "catalog": lambda ctx, p: catalog.import_file(ctx, p),
    "calendar": lambda ctx, p: calendar.import_file(ctx, p),
    "staff": lambda ctx, p: staff_io.import_staff_xlsx(ctx, p),
}


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_empty_and_huge_files_are_refused_plainly(admin, tmp_path, name):
    suffix = ".xlsx" if name == "staff" else ".csv"
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    attempt(f"{name} import", admin.db, lambda: IMPORTERS[name](admin, empty))
    with pytest.raises(KnownError):
        IMPORTERS[name](admin, empty)
    huge = tmp_path / f"huge{suffix}"
    rng = random.Random(5)
    if suffix == ".csv":  # 12 MB: one enormous line, then many bad rows
        with huge.open("w", encoding="utf-8") as fh:
            fh.write("code,name,field\n" if name == "catalog" else "date,kind,note\n")
            fh.write("x" * 4_000_000 + "\n")
            for _i in range(80_000):
                fh.write(f"{rng.random()},'; DROP TABLE procedure;--,{'Đ' * 50}\n")
    else:
        with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as z:  # compresses to little, inflates to 60 MB
            z.writestr("xl/worksheets/sheet1.xml", "<" * 60_000_000)
    attempt(f"{name} import", admin.db, lambda: IMPORTERS[name](admin, huge))
    with pytest.raises(KnownError):
        IMPORTERS[name](admin, huge)


# -- the bundle reader (hub side) ------------------------------------------------------------------

def records_fingerprint(db: Database) -> str:
    """The records a bundle could change (the import log may note a refusal)."""
    from commune_desk.store.base import Synced

    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            mapper = next((m for m in Base.registry.mappers if m.local_table is table), None)
            if mapper is None or not issubclass(mapper.class_, Synced):
                continue
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_fuzz_bundle_reader(db, hub_db, tmp_path):
    import dataclasses
    import datetime as dt

    from commune_desk.services import intake, sync_hub, sync_receive
    from commune_desk.services import sync as commune_sync

    commune = Ctx(db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    hub = Ctx(hub_db, Actor(None, "admin", "Quản Trị", Role.ADMIN))
    invite = sync_hub.invite(hub, tmp_path / "hub-invite.json")
    request = commune_sync.enroll(commune, invite.path, tmp_path / "request.json")
    sync_hub.enroll(hub, request.request_path.read_bytes(), fingerprint=request.my_fingerprint)
    clerk = Ctx(db, Actor(None, "canbo", "Cán Bộ", Role.CLERK))
    proc = next(p for p in intake.load_procedures(clerk) if p.time_kind == "working_days" and p.time_value)
    for k in range(3):
        intake.receive_dossier(clerk, intake.IntakeForm(
            procedure_code=proc.code, name="Nguyễn Văn An", id_number=f"0010920{k:05d}", dob=dt.date(1992, 5, 1),
            phone="0912345678", address="'; DROP TABLE dossier; --",
            documents=[dataclasses.replace(line, received=True) for line in intake.form_lines(proc)]))
    exported = commune_sync.export(commune, tmp_path / "usb")
    good = exported.files[0].read_bytes()
    rng_positions = st.integers(0, len(good) - 1)
    mutations = st.one_of(
        st.tuples(st.just("flip"), st.lists(st.tuples(rng_positions, st.integers(1, 255)), min_size=1, max_size=4)),
        st.tuples(st.just("cut"), st.integers(0, len(good) - 1)),
        st.tuples(st.just("insert"), st.tuples(rng_positions, st.binary(min_size=1, max_size=64))),
        st.tuples(st.just("random"), st.binary(max_size=4096)),
        st.tuples(st.just("text"), CELL.map(lambda t: t.encode("utf-8", errors="replace"))),
    )
    statuses: Counter[str] = Counter()

    def mutate(kind, arg) -> bytes:
        if kind == "flip":
            data = bytearray(good)
            for pos, mask in arg:
                data[pos] ^= mask
            return bytes(data)
        if kind == "cut":
            return good[:arg]
        if kind == "insert":
            pos, extra = arg
            return good[:pos] + extra + good[pos:]
        return arg

    before = records_fingerprint(hub_db)

    @FUZZ
    @given(mutations)
    def run(mutation):
        data = mutate(*mutation)
        assume(data != good)  # two flips of one bit give the bundle back
        TRIED["bundle reader"] += 1
        report = sync_receive.receive(hub_db, data, file_name="fuzz.cdsync")
        statuses[report.status] += 1
        assert report.status == "refused", (mutation[0], report.status, report.message)
        assert report.message.strip()
        assert records_fingerprint(hub_db) == before

    run()
    # the untouched bundle is accepted, so the refusals above were about the damage
    assert sync_receive.receive(hub_db, good, file_name="good.cdsync").status == "applied"
    assert records_fingerprint(hub_db) != before
    print(f"\nbundle reader outcomes: {dict(statuses)}")
