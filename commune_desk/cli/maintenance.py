"""``backup``, ``restore`` and ``check``: the safety net without the window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commune_desk.cli import add_common, emit
from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services.personal_exports import PLAIN_FLAG


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help=_("sao lưu cơ sở dữ liệu (có kiểm tra bản sao lưu)"))
    p.add_argument("--out", type=Path, default=None,
                   help=_("ghi bản sao lưu ra tệp này (.cdbk: mã hóa); mặc định: thư mục sao lưu trong thư mục dữ liệu"))
    p.add_argument("--passphrase-stdin", action="store_true",
                   help=_("đọc mật khẩu mã hóa từ đầu vào chuẩn (thay cho mật khẩu đã đặt)"))
    p.add_argument(PLAIN_FLAG, dest="plain_personal_data", action="store_true",
                   help=_("--out không mã hóa (.sqlite3): đồng ý ghi bản sao lưu có dữ liệu cá nhân ở dạng rõ"))
    add_common(p)
    p.set_defaults(handler=run_backup)

    p = sub.add_parser("restore", help=_("khôi phục từ một bản sao lưu (sao lưu trạng thái hiện tại trước)"))
    p.add_argument("file", type=Path, help=_("tệp sao lưu (.sqlite3 hoặc .cdbk)"))
    p.add_argument("--passphrase-stdin", action="store_true", help=_("đọc mật khẩu giải mã từ đầu vào chuẩn"))
    add_common(p)
    p.set_defaults(handler=run_restore)

    p = sub.add_parser("check", help=_("kiểm tra cơ sở dữ liệu, phiên bản lược đồ và nhật ký"))
    p.add_argument("--full", action="store_true", help=_("kiểm tra đầy đủ (integrity_check, chậm hơn)"))
    add_common(p)
    p.set_defaults(handler=run_check)


def _passphrase(args: argparse.Namespace) -> str | None:
    if not getattr(args, "passphrase_stdin", False):
        return None
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise KnownError(_("Không đọc được mật khẩu từ đầu vào chuẩn."))
    return value


def _data_dir(args: argparse.Namespace) -> Path:
    from commune_desk.paths import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def run_backup(args: argparse.Namespace) -> int:
    from commune_desk.cli import open_db
    from commune_desk.services import backups

    passphrase = _passphrase(args)
    ctx = open_db(args)
    try:
        if args.out is None:
            result = backups.backup_now(ctx)
            data = {"path": result.backup.path, "size": result.backup.size, "copied_to": result.copied_to,
                    "second_place_problem": result.copy_problem, "removed_by_rotation": result.removed}
            text = _("Đã sao lưu và kiểm tra: {path}").format(path=result.backup.path)
            if result.copied_to:
                text += "\n" + _("Đã chép sang nơi thứ hai: {path}").format(path=result.copied_to)
            if result.copy_problem:
                print(_("Cảnh báo: {problem}").format(problem=result.copy_problem), file=sys.stderr)
            emit(args, data, text)
            return 0
        out = Path(args.out)
        has_key = bool((ctx.db.setting("backup.key") or {}).get("key")) or passphrase is not None
        will_encrypt = out.suffix == ".cdbk" or (has_key and out.suffix != ".sqlite3")
        if not will_encrypt:
            from commune_desk.services import personal_exports

            personal_exports.require_plain_flag(args.plain_personal_data, personal_exports.BACKUP, out)
            print(_("Cảnh báo: {path} sẽ được ghi KHÔNG mã hóa, mà bản sao lưu chứa số định danh, địa chỉ của công "
                    "dân. Nếu tệp rời khỏi máy này, hãy dùng tên .cdbk (mã hóa) hoặc cất giữ như tài liệu mật.")
                  .format(path=out), file=sys.stderr)
        path, encrypted = backups.export_backup(ctx, out, encrypt=will_encrypt, passphrase=passphrase,
                                                clear_ok=True)
        emit(args, {"path": str(path), "encrypted": encrypted},
             (_("Đã ghi bản sao lưu mã hóa: {path}") if encrypted else _("Đã ghi bản sao lưu: {path}"))
             .format(path=path))
        return 0
    finally:
        ctx.db.close()


def run_restore(args: argparse.Namespace) -> int:
    from commune_desk.cli import open_db
    from commune_desk.services import backups

    passphrase = _passphrase(args)
    if args.db is None:
        state = backups.startup_check(_data_dir(args))
        if not state.ok:  # the current file is damaged: keep it aside, then put the backup in place
            kept = backups.recover_from_backup(_data_dir(args), args.file, passphrase=passphrase)
            emit(args, {"restored_from": str(args.file), "damaged_copy": str(kept) if kept else None},
                 _("Cơ sở dữ liệu hỏng đã được giữ lại ở {kept}; đã khôi phục từ {file}.").format(
                     kept=kept, file=args.file))
            return 0
    ctx = open_db(args, need_office=False)
    try:
        result = backups.restore(ctx, args.file, passphrase=passphrase)
    finally:
        ctx.db.close()
    emit(args, {"restored_from": result.restored_from, "before_restore": result.before_restore,
                "revision": result.revision},
         _("Đã khôi phục từ {file}. Trạng thái trước khi khôi phục được sao lưu tại {before}.").format(
             file=result.restored_from, before=result.before_restore))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from commune_desk.paths import DB_FILENAME
    from commune_desk.services import audit, backups
    from commune_desk.services.context import Database
    from commune_desk.store import backup as store
    from commune_desk.store import migrate

    report: dict = {}
    problems: list[str] = []
    if args.db is None:
        data_dir = _data_dir(args)
        ok, detail = store.check_file(data_dir / DB_FILENAME, full=args.full)
        report["database"] = "ok" if ok else detail
        if not ok:
            state = backups.startup_check(data_dir)
            good = state.newest_good
            report["newest_good_backup"] = good.path if good else None
            hint = (_("Bản sao lưu tốt gần nhất: {path} (khôi phục: commune-desk restore {path}).").format(path=good.path)
                    if good else _("Không có bản sao lưu tốt trong thư mục dữ liệu."))
            emit(args, report, _("Cơ sở dữ liệu: HỎNG ({detail}).").format(detail=detail) + "\n" + hint)
            raise KnownError(_("Cơ sở dữ liệu bị hỏng: {detail}. {hint}").format(detail=detail, hint=hint))
    db = Database.open(args.data_dir, args.db, upgrade=False)
    try:
        current, head = migrate.current_revision(db.engine), migrate.head_revision()
        report["revision"], report["head"] = current, head
        if current != head:
            problems.append(_("Lược đồ cơ sở dữ liệu ở phiên bản {cur}, phần mềm cần {head} (mở phần mềm để nâng cấp).")
                            .format(cur=current, head=head))
        chain = None
        if current == head:
            with db.read() as s:
                chain = audit.verify_chain(s)
            report["audit"] = {"entries": chain.entries, "chains": chain.chains,
                               "problems": [p.message for p in chain.problems]}
            if not chain.ok:
                problems.append(chain.summary())
        newest = store.list_backups(db.data_dir / "backups")
        report["backups"] = len(newest)
        report["newest_backup"] = newest[0].path.name if newest else None
    finally:
        db.close()
    lines = [_("Cơ sở dữ liệu: tốt."), _("Lược đồ: {cur} (mới nhất: {head}).").format(cur=current, head=head)]
    if chain is not None:
        lines.append(chain.summary())
    lines.append(_("Số bản sao lưu: {n}.").format(n=report["backups"]))
    emit(args, report, "\n".join(lines))
    if problems:
        raise KnownError(problems[0])
    return 0
