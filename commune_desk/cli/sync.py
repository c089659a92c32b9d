"""Sub-commands of the sync area (DESIGN.md section 4)::

    sync enroll HUB_FILE --out REQUEST_FILE       commune: trust a hub, write its request
    sync export --out DIR | sync push | sync status | sync ack FILE | sync import FILE
    hub invite --out HUB_FILE | hub enroll REQUEST_FILE
    hub import PATH... [--dry-run] | hub pull | hub status | hub export --office CODE --out DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commune_desk.cli import add_common, emit, open_db
from commune_desk.errors import KnownError
from commune_desk.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    sync = sub.add_parser("sync", help=_("đồng bộ với cấp trên (đơn vị cấp xã)"))
    ssub = sync.add_subparsers(dest="sync_command", metavar=_("LỆNH"), required=True, parser_class=type(sync))

    p = ssub.add_parser("enroll", help=_("tin cậy cấp trên và ghi tệp yêu cầu đăng ký"))
    p.add_argument("hub_file", type=Path, metavar="HUB_FILE")
    p.add_argument("--out", type=Path, required=True, metavar="REQUEST_FILE")
    p.add_argument("--webdav-user", default=None, help=_("tên đăng nhập máy chủ WebDAV của cấp trên"))
    p.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu WebDAV từ đầu vào chuẩn"))
    add_common(p)
    p.set_defaults(handler=run_enroll)

    p = ssub.add_parser("export", help=_("ghi gói đồng bộ (và các gói chưa được xác nhận) vào một thư mục/USB"))
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--bundles", default=None, metavar="A-B", help=_("chỉ chép lại các gói số A đến B"))
    add_common(p)
    p.set_defaults(handler=run_export)

    p = ssub.add_parser("push", help=_("gửi các gói lên máy chủ WebDAV và nhận xác nhận, gói gửi xuống"))
    p.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu WebDAV từ đầu vào chuẩn"))
    p.add_argument("--folder", type=Path, default=None, help=_("dùng thư mục dùng chung này thay cho WebDAV"))
    add_common(p)
    p.set_defaults(handler=run_push)

    p = ssub.add_parser("status", help=_("các gói chờ gửi, đã gửi, đã xác nhận, bị lỗi"))
    add_common(p)
    p.set_defaults(handler=run_status)

    p = ssub.add_parser("ack", help=_("đọc tệp xác nhận của cấp trên"))
    p.add_argument("file", type=Path, metavar="FILE")
    add_common(p)
    p.set_defaults(handler=run_ack)

    p = ssub.add_parser("import", help=_("nhập gói do cấp trên gửi xuống"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help=_("chỉ xem trước, không ghi gì"))
    add_common(p)
    p.set_defaults(handler=run_import_down)

    hub = sub.add_parser("hub", help=_("cấp trên: đăng ký đơn vị, nhập gói, gửi xuống"))
    hsub = hub.add_subparsers(dest="hub_command", metavar=_("LỆNH"), required=True, parser_class=type(hub))

    p = hsub.add_parser("invite", help=_("ghi tệp giới thiệu của cấp trên cho các xã"))
    p.add_argument("--out", type=Path, required=True, metavar="HUB_FILE")
    p.add_argument("--webdav-url", default=None, help=_("địa chỉ thư mục WebDAV mà các xã gửi gói lên"))
    p.add_argument("--webdav-user", default=None, help=_("tên đăng nhập WebDAV của cấp trên (để lấy gói)"))
    p.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu WebDAV từ đầu vào chuẩn"))
    add_common(p)
    p.set_defaults(handler=run_invite)

    p = hsub.add_parser("enroll", help=_("đăng ký một đơn vị cấp xã sau khi đối chiếu dấu vân tay"))
    p.add_argument("request_file", type=Path, metavar="REQUEST_FILE")
    p.add_argument("--fingerprint", default=None, metavar="FP",
                   help=_("dấu vân tay đơn vị đọc qua điện thoại: đăng ký nếu khớp, từ chối nếu không"))
    add_common(p)
    p.set_defaults(handler=run_hub_enroll)

    p = hsub.add_parser("import", help=_("nhập các gói của đơn vị cấp xã"))
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    p.add_argument("--dry-run", action="store_true", help=_("chỉ xem trước, không ghi gì"))
    add_common(p)
    p.set_defaults(handler=run_hub_import)

    p = hsub.add_parser("pull", help=_("lấy gói từ máy chủ WebDAV hoặc thư mục nhận, nhập và để lại xác nhận"))
    p.add_argument("--inbox", type=Path, default=None, help=_("thư mục nhận dùng chung thay cho WebDAV"))
    p.add_argument("--password-stdin", action="store_true", help=_("đọc mật khẩu WebDAV từ đầu vào chuẩn"))
    add_common(p)
    p.set_defaults(handler=run_pull)

    p = hsub.add_parser("status", help=_("tình hình đồng bộ của từng đơn vị"))
    add_common(p)
    p.set_defaults(handler=run_hub_status)

    p = hsub.add_parser("export", help=_("ghi gói gửi xuống cho một đơn vị"))
    p.add_argument("--office", required=True, metavar="CODE")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    add_common(p)
    p.set_defaults(handler=run_hub_export)


def _password(args: argparse.Namespace) -> str | None:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    return None


def _closing(fn):
    def run(args: argparse.Namespace) -> int:
        ctx = open_db(args)
        try:
            return fn(args, ctx)
        finally:
            ctx.db.close()
    return run


def _dt(value: Any) -> str | None:
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")


# -- commune ---------------------------------------------------------------------------------

@_closing
def run_enroll(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc
    from commune_desk.services import sync_push

    password = _password(args)
    result = svc.enroll(ctx, args.hub_file, args.out, webdav_user=args.webdav_user)
    stored = False
    if result.webdav_url and password:
        stored = sync_push.configure(ctx, kind="webdav", url=result.webdav_url,
                                     username=args.webdav_user or ctx.db.require_office().office_code,
                                     password=password)
    text = _("Đã tin cậy cấp trên {hub} (dấu vân tay {hubfp}).\nĐã ghi yêu cầu đăng ký vào {path}.\n"
             "Hãy gửi tệp này lên cấp trên và đọc qua điện thoại dấu vân tay của đơn vị: {fp}").format(
        hub=result.hub_name, hubfp=result.hub_fingerprint, path=result.request_path, fp=result.my_fingerprint)
    if result.webdav_url and password and not stored:
        text += "\n" + _("Máy này không có kho mật khẩu của hệ điều hành: mật khẩu WebDAV không được lưu, sẽ được hỏi "
                         "lại (hoặc đặt biến môi trường COMMUNE_DESK_WEBDAV_PASSWORD).")
    emit(args, {"hub": result.hub_name, "hub_code": result.hub_code, "hub_fingerprint": result.hub_fingerprint,
                "fingerprint": result.my_fingerprint, "request_file": str(result.request_path),
                "webdav_url": result.webdav_url, "password_in_keyring": stored}, text)
    return 0


@_closing
def run_export(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc

    result = svc.export(ctx, args.out, bundles=args.bundles)
    emit(args, {"files": [str(f) for f in result.files], "new_bundle": result.new.seq if result.new else None,
                "folder": str(result.folder), "message": result.message}, result.message)
    return 0


@_closing
def run_push(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_push

    transport = sync_push.open_transport(ctx.db, password=_password(args), folder=args.folder) \
        if (args.password_stdin or args.folder) else None
    result = sync_push.push(ctx, transport=transport)
    emit(args, {"uploaded": result.uploaded, "new_bundle": result.new_bundle, "parts_sent": result.parts_sent,
                "parts_skipped": result.parts_skipped, "acks": [a.message for a in result.acks],
                "downstream": [r.as_dict() for r in result.downstream], "message": result.message}, result.message)
    return 0


@_closing
def run_status(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc

    st = svc.status(ctx)
    data = {"hub": st.hub_name, "hub_code": st.hub_code, "hub_fingerprint": st.hub_fingerprint,
            "fingerprint": st.my_fingerprint, "pending_changes": st.pending_changes, "counts": st.counts,
            "transport": st.transport, "transport_target": st.transport_target,
            "last_ok_at": st.last_ok_at, "last_error": st.last_error, "last_down_seq": st.last_down_seq,
            "bundles": [{"seq": b.seq, "file": b.file_name, "status": b.status, "changes": b.change_count,
                         "records": b.record_count, "bytes": b.size_bytes, "created_at": b.created_at,
                         "sent_at": b.sent_at, "sent_via": b.sent_via, "sent_to": b.sent_to,
                         "acked_at": b.acked_at, "error": b.error} for b in st.bundles]}
    lines = [_("Cấp trên: {hub}").format(hub=f"{st.hub_name} ({st.hub_code})" if st.hub_name else _("chưa đăng ký")),
             _("Dấu vân tay của đơn vị: {fp}").format(fp=st.my_fingerprint),
             _("Thay đổi chưa đóng gói: {n}").format(n=st.pending_changes)]
    if st.last_error:
        lines.append(_("Lần gửi gần nhất bị lỗi: {error}").format(error=st.last_error))
    for b in st.bundles:
        line = f"  #{b.seq:<5} {_dt(b.created_at)}  {svc.status_label(b.status):<32} " \
               f"{b.change_count:>7} " + _("thay đổi") + f"  {b.size_bytes:>9} B"
        if b.sent_to:
            line += "  → " + b.sent_to
        if b.error and b.status != "acked":
            line += "  (" + b.error + ")"
        lines.append(line)
    emit(args, data, "\n".join(lines))
    return 0


@_closing
def run_ack(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc

    result = svc.apply_ack(ctx, args.file)
    emit(args, {"acked": result.acked, "held": result.held, "resend": result.resend,
                "copied_to": str(result.copied_to) if result.copied_to else None, "message": result.message},
         result.message)
    return 0


def _report_exit(reports: list) -> int:
    return 1 if any(r.status in ("refused", "clone") for r in reports) else 0


def _print_reports(args: argparse.Namespace, reports: list, extra: dict[str, Any] | None = None) -> int:
    flat = []
    for r in reports:
        flat.append(r)
        flat.extend(r.then_applied)
    data = {"reports": [r.as_dict() for r in reports], **(extra or {})}
    lines = []
    for r in flat:
        where = f"{r.file_name}: " if r.file_name else ""
        lines.append(where + r.message)
    if getattr(args, "json", False):
        emit(args, data)
    else:
        for r in flat:
            target = sys.stderr if r.status in ("refused", "clone") else sys.stdout
            print((f"{r.file_name}: " if r.file_name else "") + r.message, file=target)
        for key, value in (extra or {}).items():
            if key == "acks" and value:
                print(_("Tệp xác nhận: {files}").format(files=", ".join(value)))
    return _report_exit(flat)


@_closing
def run_import_down(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc

    report = svc.import_file(ctx, args.file, dry_run=args.dry_run)
    return _print_reports(args, [report])


# -- hub -------------------------------------------------------------------------------------

@_closing
def run_invite(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_hub, sync_push

    result = sync_hub.invite(ctx, args.out, webdav_url=args.webdav_url, webdav_user=args.webdav_user)
    password = _password(args)
    stored = False
    if result.webdav_url and args.webdav_user and password:
        stored = sync_push.configure(ctx, kind="webdav", url=result.webdav_url, username=args.webdav_user,
                                     password=password)
    emit(args, {"file": str(result.path), "fingerprint": result.fingerprint, "webdav_url": result.webdav_url,
                "password_in_keyring": stored},
         _("Đã ghi tệp giới thiệu của cấp trên vào {path}. Dấu vân tay của cấp trên: {fp}").format(
             path=result.path, fp=result.fingerprint))
    return 0


@_closing
def run_hub_enroll(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync as svc
    from commune_desk.services import sync_hub

    data = svc.read_file(args.request_file)

    def ask(card) -> bool:
        if not sys.stdin.isatty():
            raise KnownError(_("Không hỏi được (không có bàn phím): hãy dùng --fingerprint với dấu vân tay đơn vị "
                               "đọc qua điện thoại."))
        print(_("Đơn vị: {name} ({code})").format(name=card.office_name, code=card.office_code))
        print(_("Dấu vân tay: {fp}").format(fp=card.fingerprint))
        answer = input(_("Dấu vân tay có khớp với số đơn vị đọc qua điện thoại không? [c/K] ")).strip().lower()
        return answer in ("c", "có", "co", "y", "yes")

    outcome = sync_hub.enroll(ctx, data, fingerprint=args.fingerprint, confirm=ask)
    emit(args, {"status": outcome.status, "office_code": outcome.office_code, "office_name": outcome.office_name,
                "fingerprint": outcome.fingerprint}, outcome.message)
    return 0


@_closing
def run_hub_import(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_hub

    run = sync_hub.import_paths(ctx, args.paths, dry_run=args.dry_run)
    return _print_reports(args, run.reports, {"acks": [str(p) for p in run.acks]})


@_closing
def run_pull(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_push

    result = sync_push.pull(ctx, inbox=args.inbox, password=_password(args))
    code = _print_reports(args, result.reports, {"downstream": result.downstream})
    if not args.json:
        print(result.message)
    return code


@_closing
def run_hub_status(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_hub
    from commune_desk.sync.ack import ranges

    rows = sync_hub.status(ctx)
    data = [{"office_code": r.office_code, "office_name": r.office_name, "installation": r.installation,
             "last_seq": r.last_seq, "last_bundle_at": r.last_bundle_at, "days_since": r.days_since,
             "stale": r.stale, "held": r.held, "missing": r.missing, "open_conflicts": r.open_conflicts,
             "records": r.records, "alarm": r.alarm} for r in rows]
    lines = []
    if not rows:
        lines.append(_("Chưa có đơn vị nào đăng ký."))
    for r in rows:
        when = _dt(r.last_bundle_at) or _("chưa bao giờ")
        flag = "  ⚠ " + _("quá lâu chưa đồng bộ") if r.stale else ""
        lines.append(f"{r.office_code} {r.office_name} [{r.installation}]: " +
                     _("gói cuối số {seq} lúc {when}").format(seq=r.last_seq, when=when) + flag)
        if r.missing:
            lines.append("    " + _("Thiếu gói số {missing} của {name}").format(missing=ranges(r.missing),
                                                                             name=r.office_name))
        if r.held:
            lines.append("    " + _("Đang giữ chờ: gói {held}").format(held=ranges(r.held)))
        if r.open_conflicts:
            lines.append("    " + _("Xung đột chờ xem xét: {n}").format(n=r.open_conflicts))
        if r.alarm:
            lines.append("    " + _("CẢNH BÁO: {alarm}").format(alarm=r.alarm))
        if r.records:
            lines.append("    " + ", ".join(f"{k}: {v}" for k, v in sorted(r.records.items())))
    emit(args, data, "\n".join(lines))
    return 0


@_closing
def run_hub_export(args: argparse.Namespace, ctx) -> int:
    from commune_desk.services import sync_hub

    result = sync_hub.export(ctx, args.office, args.out)
    emit(args, {"files": [str(f) for f in result.files], "message": result.message}, result.message)
    return 0
