"""Benchmark: saving a dossier and producing its receipt PDF, against a raw baseline.

    python tests/bench/bench_desk_save.py [--runs 40]

"desk" = ``intake.receive_and_print``, what "Lưu và in" runs: validation, then one
transaction with the dossier, its event, change log, audit, code and book counters, the
receipt PDF (two A5 copies with the QR code) written beside its final name, the slip marked
issued and the print audited; then the atomic rename.
"baseline" = the same text drawn line by line on bare ReportLab pages (the same embedded
faces: regular, bold, italic; no layout engine, no QR code) + one raw sqlite3 INSERT of the
dossier row with a commit (synchronous=FULL, WAL), on the same database file, through one
connection kept open like the application's pool (a connection per insert would charge the
baseline a schema parse the desk never pays). Target: desk / baseline <= 1.5.

Also printed: how many SQL statements one save issues (an engine event counts them).

Also printed: the two halves apart (the PDF alone against the bare pages, the database
alone against the raw insert), to show where the difference lies.

The desk's PDF starts from the forms' fixed font subset (``printing.fonts.seed_form_fonts``:
its font programs are cut and compressed once per process); the baseline's bare pages are
made as ReportLab makes them by default, one subset per PDF. For the record, one more row
gives the bare pages with the fixed subset too: the layout's own cost over bare drawing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reportlab.lib.pagesizes import A5  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from sqlalchemy import select  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.printing.fonts import font_name, seed_form_fonts  # noqa: E402
from commune_desk.printing.receipt import build_receipts  # noqa: E402
from commune_desk.services import documents, intake  # noqa: E402
from commune_desk.services.context import Actor, Ctx, Database  # noqa: E402
from commune_desk.services.office import SetupRequest, setup_office  # noqa: E402


def make_db(folder: Path) -> Ctx:
    db = Database.open(folder)
    setup_office(db, SetupRequest(role="commune", office_code="00919", office_name="Xã Minh Tân",
                                  unit_id="000.00.19.H56", admin_username="admin", admin_full_name="Quản Trị Viên",
                                  admin_password="matkhau-123"))
    return Ctx(db, Actor(uuid.uuid4(), "canbo", "Trần Văn Bình", Role.CLERK))


def make_form(ctx: Ctx, i: int) -> intake.IntakeForm:
    proc = intake.procedure_by_code(ctx, "1.004746")
    lines = intake.form_lines(proc)
    for line in lines:
        line.received = True
    return intake.IntakeForm(procedure_code=proc.code, name=f"Nguyễn Thị Đào {chr(65 + i % 26)}",
                             id_number="001190012345", dob=dt.date(1990, 5, 17), phone="0912345678",
                             address="Thôn Đồng Tâm, xã Minh Tân, tỉnh Tuyên Quang", email="dao@example.com",
                             documents=lines, fees=[intake.FeeItem("Lệ phí hộ tịch", 15000)])


def desk_once(ctx: Ctx, i: int, out_dir: Path) -> float:
    form = make_form(ctx, i)  # built before the clock starts: the clerk typed it
    t0 = time.perf_counter()
    result = intake.receive_and_print(ctx, form, out_dir)
    elapsed = time.perf_counter() - t0
    assert result.pdf is not None, result.problem
    return elapsed


ITALIC_STARTS = ("(", "Vào Sổ", "Kết quả giải quyết", "Khi đến", "Minh Tân, ngày")


def receipt_lines(ctx: Ctx, code: str) -> list[tuple[str, str]]:
    """The text of one copy, line by line, with the face the form sets it in: capitals in
    bold (headings, title, signature titles), notes and the date in italics."""
    from pypdf import PdfReader

    tmp = Path(tempfile.mkdtemp()) / "r.pdf"
    documents.print_form(ctx, "receipt", [code], tmp)
    out = []
    for line in PdfReader(str(tmp)).pages[0].extract_text().splitlines():
        line = line.strip()
        if not line:
            continue
        letters = [ch for ch in line if ch.isalpha()]
        if letters and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
            out.append(("bold", line))
        elif line.startswith(ITALIC_STARTS):
            out.append(("italic", line))
        else:
            out.append(("regular", line))
    return out


def baseline_once(conn: sqlite3.Connection, lines: list[tuple[str, str]], i: int, out_dir: Path, procedure_id: str,
                  *, db: bool = True, pdf: bool = True, seeded: bool = False) -> float:
    t0 = time.perf_counter()
    if db:
        raw_insert(conn, i, procedure_id)
    if pdf:
        bare_pages(lines, out_dir / f"base-{i}.pdf", seeded=seeded)
    return time.perf_counter() - t0


def raw_connection(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def raw_insert(conn: sqlite3.Connection, i: int, procedure_id: str) -> None:
    conn.execute("BEGIN")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    conn.execute(
        "INSERT INTO dossier (id, office_code, created_at, updated_at, version, code, book_year, book_number, "
        "rules_set, procedure_id, procedure_code, procedure_name, field, applicant_name, applicant_folded, "
        "applicant_id_number, applicant_dob, applicant_phone, applicant_address, applicant_email, documents, "
        "sets_count, channel, fee_vnd, result_delivery, received_at, due_at, original_due_at, status, "
        "supplement_count, supplement_paused_seconds, extension_count) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (uuid.uuid4().hex, "00919", now, now, 1, f"BASELINE-{i}", 1999, 100000 + i, "2025", procedure_id,
         "1.004746", "Thủ tục đăng ký lại kết hôn", "Hộ tịch", "Nguyễn Thị Đào", "nguyen thi dao",
         "001190012345", "1990-05-17", "0912345678", "Thôn Đồng Tâm", "dao@example.com", "[]", 1, "counter",
         15000, "counter", now, now, now, "received", 0, 0, 0))
    conn.execute("COMMIT")


def bare_pages(lines: list[tuple[str, str]], target: Path, *, seeded: bool = False) -> None:
    c = canvas.Canvas(str(target), pagesize=A5)
    if seeded:
        seed_form_fonts(c)
    for _copy in range(2):
        y = A5[1] - 30
        for face, line in lines:
            c.setFont(font_name(face), 10)
            c.drawString(34, y, line)
            y -= 12.5
        c.showPage()
    c.save()


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("COMMUNE_DESK_SHIPPED_FONT", "1")
    with tempfile.TemporaryDirectory() as tmp:
        folder, out_dir = Path(tmp) / "data", Path(tmp) / "out"
        folder.mkdir()
        out_dir.mkdir()
        ctx = make_db(folder)
        raw_conn = raw_connection(folder / "commune_desk.sqlite3")
        for i in range(3):  # warm-up: imports, fonts, the calendar, statement caches
            desk_once(ctx, 1000 + i, out_dir)
        code = intake.receive_dossier(ctx, make_form(ctx, 0)).code
        lines = receipt_lines(ctx, code)
        procedure_id = intake.procedure_by_code(ctx, "1.004746").id.hex
        for i in range(3):
            baseline_once(raw_conn, lines, 1000 + i, out_dir, procedure_id)
        desk, base, pdf, bare, save, raw, seeded = [], [], [], [], [], [], []
        data = documents.receipt_data(ctx, *_dossier_of(ctx, code))
        for i in range(args.runs):  # interleaved, so noise hits both alike
            desk.append(desk_once(ctx, i, out_dir))
            base.append(baseline_once(raw_conn, lines, i, out_dir, procedure_id))
            pdf.append(timed(lambda: build_receipts([data], out_dir / "pdf-only.pdf")))
            bare.append(baseline_once(raw_conn, lines, 10_000 + i, out_dir, procedure_id, db=False))
            seeded.append(baseline_once(raw_conn, lines, 30_000 + i, out_dir, procedure_id, db=False, seeded=True))
            form = make_form(ctx, i)
            save.append(timed(lambda form=form: intake.receive_dossier(ctx, form)))
            raw.append(baseline_once(raw_conn, lines, 20_000 + i, out_dir, procedure_id, pdf=False))
        statements = count_statements(ctx)
        raw_conn.close()
        ctx.db.close()
    print(f"save a dossier + its receipt PDF ({args.runs} runs, A5, 2 copies); "
          f"SQL statements: save & print {statements[0]}, save {statements[1]}, raw 3")
    print(f"{'':34}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}")
    rows = [("desk: receive_and_print", desk, base, "baseline: raw insert + bare pages"),
            ("  PDF only: build_receipts", pdf, bare, "  bare pages only"),
            ("  PDF only: build_receipts", pdf, seeded, "  bare pages, fixed subset too"),
            ("  database only: receive_dossier", save, raw, "  raw insert only")]
    for name, ours, theirs, their_name in rows:
        o_med, o_p95 = summary(ours)
        t_med, t_p95 = summary(theirs)
        print(f"{name:34}{o_med:>10.1f}{o_p95:>9.1f}{o_med / t_med:>8.2f}")
        print(f"{their_name:34}{t_med:>10.1f}{t_p95:>9.1f}")
    ratio = summary(desk)[0] / summary(base)[0]
    print(f"target desk / baseline <= 1.5: {ratio:.2f} {'OK' if ratio <= 1.5 else 'OVER'}")
    return 0


def count_statements(ctx: Ctx) -> tuple[int, int]:
    """Statements sent to SQLite by one "save & print" and by one save (BEGIN and COMMIT included)."""
    from sqlalchemy import event

    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", listener)
    try:
        out = []
        with tempfile.TemporaryDirectory() as tmp:
            for save in (lambda f: intake.receive_and_print(ctx, f, Path(tmp)), lambda f: intake.receive_dossier(ctx, f)):
                form = make_form(ctx, 7)
                seen.clear()
                save(form)
                out.append(len(seen) + 1)  # the COMMIT goes through the DBAPI, not a cursor
        return out[0], out[1]
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", listener)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _dossier_of(ctx: Ctx, code: str):
    from commune_desk.store.models import Dossier

    s = ctx.db.sessions()
    dossier = s.scalar(select(Dossier).where(Dossier.code == code))
    return s, dossier, ctx.db.require_office()


if __name__ == "__main__":
    sys.exit(main())
