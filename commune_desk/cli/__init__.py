"""The command line: a second face over the same services (DESIGN.md section 4).

Exit codes: 0 success; 1 bad input or a known problem, one line on stderr, nothing
written; 2 bad usage. Every sub-command takes ``--json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from commune_desk import __version__
from commune_desk.errors import KnownError
from commune_desk.i18n import _, set_language

# Each area registers its sub-commands here, in the order --help lists them.
AREAS = ("office", "catalog", "desk", "printing", "sync", "reports", "maintenance")

Handler = Callable[[argparse.Namespace], int]


class CliParser(argparse.ArgumentParser):
    """argparse with translated usage errors (exit code 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: lỗi: {message}\n").format(prog=self.prog, message=message))


# argparse's own words (usage, errors, help headings) come through its gettext hook; in
# Vietnamese mode we answer them here, as Qt's own strings come from qtbase_vi.qm.
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện trợ giúp này rồi thoát",
    "show program's version number and exit": "hiện phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không hiểu được: %s",
    "expected one argument": "cần một giá trị",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
    "expected at least one argument": "cần ít nhất một giá trị",
    "not allowed with argument %s": "không dùng cùng tham số %s",
}


def _translate_argparse(lang: str) -> None:
    import gettext

    if lang == "vi":
        argparse._ = lambda text: ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]
    else:
        argparse._ = gettext.gettext  # type: ignore[attr-defined]


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("kết quả dạng JSON"))


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = CliParser(
        prog="commune-desk",
        description=_("commune_desk — phần mềm một cửa cấp xã. Không có lệnh con: mở cửa sổ."),
    )
    parser.add_argument("--version", action="version", version=f"commune-desk {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=_("thư mục dữ liệu (mặc định: thư mục dữ liệu người dùng; hoặc COMMUNE_DESK_DATA)"))
    parser.add_argument("--lang", choices=("vi", "en"), default=None, help=_("ngôn ngữ giao diện"))
    parser.add_argument("--db", default=None,
                        help=_("địa chỉ cơ sở dữ liệu của cấp trên, ví dụ postgresql+psycopg://…"))
    sub = parser.add_subparsers(dest="command", metavar=_("LỆNH"), parser_class=CliParser)
    for area in AREAS:
        module = importlib.import_module(f"commune_desk.cli.{area}")
        module.register(sub)
    return parser


def emit(args: argparse.Namespace, data: Any, text: str | None = None) -> None:
    """Print ``data`` as JSON with --json, else ``text`` (or ``data`` as lines)."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif text is not None:
        print(text)
    elif isinstance(data, list):
        for row in data:
            print(row)
    else:
        print(data)


def open_db(args: argparse.Namespace, *, need_office: bool = True):
    """The database named by the global options, upgraded; and the system actor."""
    from commune_desk.services.context import Actor, Ctx, Database

    db = Database.open(args.data_dir, args.db)
    if need_office:
        try:
            db.require_office()
        except KnownError:
            db.close()
            raise
    return Ctx(db, Actor.system())


def one_line(text: str) -> str:
    """A message echoes what the user typed: keep it on one line and let no control
    character (a terminal escape sequence) through."""
    import unicodedata

    return "".join(" " if ch in "\r\n\t" else ("\ufffd" if unicodedata.category(ch) == "Cc" else ch)
                   for ch in text)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # the language must be set before the parser builds its (translated) help
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    try:
        chosen = set_language(lang if lang in ("vi", "en") else None)
    except ValueError:
        chosen = set_language("vi")
    _translate_argparse(chosen)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from commune_desk.ui.app import run_gui

        return run_gui(data_dir=args.data_dir, db_url=args.db)
    handler: Handler = args.handler
    try:
        return handler(args) or 0
    except KnownError as exc:
        print(f"commune-desk: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except OSError as exc:  # the environment's fault (disk full, no permission, bad path): one plain line
        from commune_desk.store.faults import disk_full_message, is_disk_full

        text = disk_full_message() if is_disk_full(exc) else _("Lỗi khi đọc hoặc ghi tệp: {error}").format(
            error=exc.strerror or exc)
        print(f"commune-desk: {one_line(text)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("commune-desk: đã dừng theo yêu cầu"), file=sys.stderr)
        return 1


def gui_main() -> int:
    return main([])
