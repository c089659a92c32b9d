"""The hub's page: enrol communes (with the fingerprint read on the phone), import their
bundles (a dry-run preview first: "this will create 120 dossiers, update 8, 2 conflicts",
then the import with a progress bar), see every commune (last bundle and when, missing and
held bundles, conflicts waiting, records per type; communes silent for ``sync.stale_days``
stand out), review conflicts, and fetch bundles from the WebDAV server or an inbox folder.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import sync_hub, sync_push
from commune_desk.services.context import Ctx
from commune_desk.sync import keys
from commune_desk.sync.ack import ranges
from commune_desk.ui.sync_conflicts import ConflictReview, when
from commune_desk.ui.sync_conflicts import table as _table
from commune_desk.ui.tasks import run_task

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STALE = QColor("#fde7e9")
ALARM = QColor("#f8c9ce")


class EnrolDialog(QDialog):
    """Shows who asks to be enrolled and accepts only when the fingerprint read on the
    phone matches."""

    def __init__(self, card: keys.Card, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setWindowTitle(_("Đăng ký đơn vị cấp xã"))
        self.fingerprint_edit = QLineEdit()
        self.fingerprint_edit.setObjectName("enrol_fingerprint")
        self.fingerprint_edit.setPlaceholderText("1234 5678 9012 3456 7890")
        self.fingerprint_edit.textChanged.connect(self._check)
        self.result_label = QLabel()
        shown = QLabel(card.fingerprint)
        font = QFont(shown.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        shown.setFont(font)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(_("Đơn vị"), QLabel(f"{card.office_name} ({card.office_code})"))
        form.addRow(_("Dấu vân tay trong tệp"), shown)
        form.addRow(_("Số đơn vị đọc qua điện thoại"), self.fingerprint_edit)
        hint = QLabel(_("Gọi điện cho đơn vị, đề nghị họ đọc dấu vân tay hiện trong phần Đồng bộ của họ, gõ lại ở đây. "
                        "Chỉ đăng ký khi hai dãy số khớp nhau."))
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Đăng ký"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        typed = self.fingerprint_edit.text()
        ok = keys.same_fingerprint(typed, self.card.fingerprint)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        digits = sum(ch.isdigit() for ch in typed)
        if ok:
            self.result_label.setText(_("Khớp."))
            self.result_label.setStyleSheet("color: #1b5e20;")
        elif digits >= 20:
            self.result_label.setText(_("Không khớp: không đăng ký. Hãy kiểm tra lại với đơn vị."))
            self.result_label.setStyleSheet("color: #b00020;")
        else:
            self.result_label.setText("")


class PreviewDialog(QDialog):
    """The dry run's result; "Nhập" goes on with the real import."""

    def __init__(self, reports: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Xem trước khi nhập"))
        self.resize(760, 420)
        self.headline = QLabel(sync_hub.preview_text([r for r in reports if r.status == "applied"]))
        self.headline.setObjectName("preview_headline")
        font = QFont(self.headline.font())
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        details = QPlainTextEdit()
        details.setReadOnly(True)
        details.setPlainText("\n".join(f"{r.file_name}: {r.message}" for r in reports))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Nhập"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(any(r.status in ("applied", "held")
                                                                          for r in reports))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(details, 1)
        layout.addWidget(buttons)


class HubWorker(QObject):
    """Fetches and imports in the background (the configured WebDAV folder or inbox folder),
    every few minutes, waiting longer while the server does not answer.

    Signals:
        finished(object): a PullResult after a round that reached the server or folder.
        failed(str): why the last round did not.
    """

    finished = Signal(object)
    failed = Signal(str)
    INTERVAL_MS = 5 * 60_000
    MAX_INTERVAL_MS = 30 * 60_000

    def __init__(self, ctx: Ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.password: str | None = None  # typed in this session; never written to the disk
        self.running = False
        self.interval = self.INTERVAL_MS
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_once)

    def start(self, first_delay_ms: int = 10_000) -> None:
        self.timer.start(first_delay_ms)

    def stop(self) -> None:
        self.timer.stop()

    def source(self) -> tuple[bool, str | None]:
        """(configured, inbox folder or None for WebDAV)."""
        cfg = sync_push.transport_config(self.ctx.db)
        if cfg.kind == "webdav" and cfg.url:
            return (self.password is not None or sync_push.password_known(cfg)), None
        return bool(cfg.folder), cfg.folder

    def run_once(self) -> None:
        configured, inbox = self.source()
        if self.running or not configured:
            self.timer.start(self.interval)
            return
        self.running = True
        password = self.password
        run_task(lambda ctl: sync_push.pull(self.ctx, inbox=inbox, password=password), on_success=self._done,
                 on_failure=self._failed, on_finished=self._next, database=False)

    def _done(self, result) -> None:
        self.interval = self.INTERVAL_MS
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.interval = min(self.interval * 2, self.MAX_INTERVAL_MS)
        self.failed.emit(str(exc))

    def _next(self) -> None:
        self.running = False
        self.timer.start(self.interval)


class HubPage(QWidget):
    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.rows: list[sync_hub.CommuneRow] = []
        self.worker = HubWorker(ctx, self)
        self.worker.finished.connect(self._pulled)
        self.worker.failed.connect(lambda msg: self.summary.setToolTip(msg))
        self.conflicts: list[sync_hub.ConflictInfo] = []

        title = QLabel(_("Dữ liệu của các đơn vị cấp xã"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel()
        self.message = QLabel()
        self.message.setObjectName("hub_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("background: #eef6ee; padding: 6px; border-radius: 4px;")
        self.message.hide()

        buttons = QHBoxLayout()
        for label, slot, name in ((_("Tệp giới thiệu cho các xã…"), self.invite, "hub_invite"),
                                  (_("Đăng ký xã…"), self.enrol, "hub_enrol"),
                                  (_("Nhập gói…"), self.import_files, "hub_import"),
                                  (_("Lấy gói (mạng hoặc thư mục nhận)"), self.pull, "hub_pull"),
                                  (_("Gửi xuống cho xã…"), self.export_down, "hub_export")):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.communes = _table([_("Mã"), _("Đơn vị"), _("Máy"), _("Gói cuối"), _("Nhận lúc"), _("Thiếu / đang giữ"),
                                _("Xung đột"), _("Số bản ghi")], "hub_communes")
        self.review = ConflictReview(ctx, "hub_conflicts")
        self.review.resolved.connect(lambda message: (self.say(message), self.refresh()))
        self.conflict_table = self.review.table
        self.local_view, self.incoming_view = self.review.local_view, self.review.incoming_view
        self.log_table = _table([_("Nhận lúc"), _("Đơn vị"), _("Gói số"), _("Trạng thái"), _("Kết quả")], "hub_log")

        self.tabs = QTabWidget()
        self.tabs.addTab(self.communes, _("Các xã"))
        self.tabs.addTab(self.review, _("Xung đột chờ xem xét"))
        self.tabs.addTab(self.log_table, _("Nhật ký nhập"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        window.data_changed.connect(lambda _kind: self.refresh())
        self.refresh()
        self.worker.start()

    # -- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        def load(_ctl):
            return (sync_hub.status(self.ctx), sync_hub.conflicts(self.ctx),
                    sync_hub.recent_imports(self.ctx.db), int(self.ctx.db.setting("sync.stale_days")))
        run_task(load, on_success=self._show)

    def _show(self, data) -> None:
        self.rows, self.conflicts, log, stale_days = data
        stale = [r for r in self.rows if r.stale]
        text = _("{n} đơn vị đã đăng ký; {c} xung đột chờ xem xét.").format(
            n=len(self.rows), c=len(self.conflicts))
        if stale:
            text += " " + _("{n} đơn vị quá {d} ngày chưa đồng bộ (tô đỏ).").format(n=len(stale), d=stale_days)
        self.summary.setText(text)
        self.communes.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            gaps = []
            if r.missing:
                gaps.append(_("thiếu gói {n}").format(n=ranges(r.missing)))
            if r.held:
                gaps.append(_("giữ gói {n}").format(n=ranges(r.held)))
            if r.alarm:
                gaps.append(_("CẢNH BÁO: {a}").format(a=r.alarm))
            since = when(r.last_bundle_at) or _("chưa bao giờ")
            if r.stale and r.days_since is not None:
                since += " " + _("({d} ngày trước)").format(d=r.days_since)
            records = ", ".join(f"{sync_hub.entity_label(k)}: {v:,}".replace(",", ".")
                                for k, v in sorted(r.records.items()))
            values = [r.office_code, r.office_name, r.installation, str(r.last_seq or ""), since, "; ".join(gaps),
                      str(r.open_conflicts or ""), records]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if r.alarm:
                    item.setBackground(ALARM)
                elif r.stale:
                    item.setBackground(STALE)
                self.communes.setItem(i, col, item)
        self.review.set_conflicts(self.conflicts)
        self.tabs.setTabText(1, _("Xung đột chờ xem xét ({n})").format(n=len(self.conflicts)))
        self.log_table.setRowCount(len(log))
        for i, entry in enumerate(log):
            status = {"applied": _("đã nhập"), "held": _("đang giữ"), "clone": _("cảnh báo sao chép")}.get(
                entry["status"], entry["status"])
            for col, value in enumerate([when(entry["received_at"]), entry["office"], str(entry["seq"]), status,
                                         entry["summary"].get("message", "")]):
                self.log_table.setItem(i, col, QTableWidgetItem(value))

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.window_.statusBar().showMessage(text.splitlines()[0] if text else "", 10000)

    # -- actions ------------------------------------------------------------------------------
    def invite(self) -> None:
        url, ok = QInputDialog.getText(self, _("Tệp giới thiệu"),
                                       _("Địa chỉ thư mục WebDAV các xã gửi gói lên (để trống nếu chỉ dùng USB):"))
        if not ok:
            return
        out, _filter = QFileDialog.getSaveFileName(self, _("Lưu tệp giới thiệu"), "cap-tren.json",
                                                   _("Tệp commune_desk (*.json)"))
        if out:
            self.do_invite(out, url.strip() or None)

    def do_invite(self, out: str | Path, url: str | None) -> None:
        run_task(lambda ctl: sync_hub.invite(self.ctx, out, webdav_url=url),
                 on_success=lambda r: self.say(_("Đã ghi tệp giới thiệu vào {path}. Dấu vân tay của cấp trên: {fp}")
                                               .format(path=r.path, fp=r.fingerprint)), parent=self)

    def enrol(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Tệp yêu cầu đăng ký của xã"), "",
                                                    _("Tệp commune_desk (*.json);;Mọi tệp (*)"))
        if path:
            self.open_request(Path(path))

    def open_request(self, path: Path) -> EnrolDialog | None:
        try:
            data = path.read_bytes()
            card = sync_hub.read_request(data)
        except (OSError, KnownError) as exc:
            self.say(str(exc))
            return None
        dialog = EnrolDialog(card, self)
        dialog.accepted.connect(lambda: run_task(
            lambda ctl: sync_hub.enroll(self.ctx, data, fingerprint=dialog.fingerprint_edit.text()),
            on_success=lambda outcome: (self.say(outcome.message), self.refresh()), parent=self))
        dialog.open()
        return dialog

    def import_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, _("Chọn các gói của xã"), "",
                                                      _("Gói đồng bộ (*.cdb)"))
        if files:
            self.preview(files)

    def preview(self, files: list[str | Path]) -> None:
        def work(ctl):
            return self._run(files, ctl, dry_run=True)

        def show(run: sync_hub.ImportRun) -> None:
            dialog = PreviewDialog(run.flat(), self)
            dialog.accepted.connect(lambda: self.do_import(files))
            self.preview_dialog = dialog
            dialog.open()

        run_task(work, on_success=show, parent=self, progress=_("Đang kiểm tra các gói (chưa ghi gì)…"))

    def _run(self, files, ctl, *, dry_run: bool) -> sync_hub.ImportRun:
        files = [Path(f) for f in files]
        total = len(files)
        run = sync_hub.ImportRun()
        for i, path in enumerate(sorted(files, key=lambda p: p.name)):
            label = _("Gói {i}/{n}: {name}").format(i=i + 1, n=total, name=path.name)
            ctl.progress(i * 1000, total * 1000, label)
            part = sync_hub.import_paths(
                self.ctx, [path], dry_run=dry_run,
                progress=lambda d, t, i=i, label=label: ctl.progress(i * 1000 + (1000 * d // max(t, 1)), total * 1000,
                                                                     label))
            run.reports.extend(part.reports)
            run.acks.extend(part.acks)
        return run

    def do_import(self, files: list[str | Path]) -> None:
        def done(run: sync_hub.ImportRun) -> None:
            lines = [f"{r.file_name}: {r.message}" for r in run.flat()]
            if run.acks:
                lines.append(_("Tệp xác nhận cho xã: {files}").format(files=", ".join(str(p) for p in run.acks)))
            self.say("\n".join(lines))
            self.refresh()
            self.window_.data_changed.emit("dossier")

        run_task(lambda ctl: self._run(files, ctl, dry_run=False), on_success=done, parent=self,
                 progress=_("Đang nhập các gói…"))

    def pull(self) -> None:
        cfg = sync_push.transport_config(self.ctx.db)
        inbox = None
        password = self.worker.password
        if cfg.kind != "webdav":
            inbox = cfg.folder or QFileDialog.getExistingDirectory(self, _("Thư mục nhận gói của các xã"))
            if not inbox:
                return
        elif password is None and not sync_push.password_known(cfg):
            password, ok = QInputDialog.getText(self, _("Mật khẩu WebDAV"), _("Mật khẩu máy chủ WebDAV:"),
                                                QLineEdit.EchoMode.Password)
            if not ok:
                return
            self.worker.password = password  # this session only (no OS keyring here)
        self.do_pull(inbox, password)

    def do_pull(self, inbox: str | Path | None, password: str | None = None) -> None:
        def work(ctl):
            if inbox is not None:  # remembered: the background worker uses it from now on
                sync_push.configure(self.ctx, kind="folder", folder=str(inbox))
            return sync_push.pull(self.ctx, inbox=inbox, password=password,
                                  progress=lambda d, t: ctl.progress(d, t))

        run_task(work, on_success=self._pulled, parent=self, progress=_("Đang lấy và nhập gói…"), database=False)

    def _pulled(self, result: sync_push.PullResult) -> None:
        if result.reports or self.message.isVisible():
            lines = [f"{r.file_name}: {r.message}" for r in result.reports] + [result.message]
            self.say("\n".join(lines))
        self.refresh()
        if any(r.status == "applied" for r in result.reports):
            self.window_.data_changed.emit("dossier")

    def export_down(self) -> None:
        row = self.communes.currentRow()
        if not 0 <= row < len(self.rows):
            self.say(_("Hãy chọn một đơn vị trong danh sách trước."))
            return
        folder = QFileDialog.getExistingDirectory(self, _("Chọn USB hoặc thư mục để chép gói gửi xuống"))
        if folder:
            code = self.rows[row].office_code
            run_task(lambda ctl: sync_hub.export(self.ctx, code, folder), on_success=lambda r: self.say(r.message),
                     parent=self, progress=_("Đang tạo gói gửi xuống…"))

    def resolve(self, use_incoming: bool) -> None:
        self.review.resolve(use_incoming)


def create_page(ctx: Ctx, window) -> QWidget:
    return HubPage(ctx, window)
