"""The commune's sync page: trust the upper level (enrolment), hand bundles over on a USB
stick or a shared folder (the window says where the file went), read the hub's
acknowledgements and downstream bundles, and see every bundle: pending, sent, held,
acknowledged, failed with the reason.

A background worker (:class:`SyncWorker`) checks the WebDAV server every minute when one is
configured: when the connection is there it pushes and takes what the hub left; when it is
not, it waits longer each time (up to half an hour). It runs on the general thread pool, so
the window never waits for the network.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commune_desk.i18n import _
from commune_desk.services import sync as svc
from commune_desk.services import sync_hub, sync_push
from commune_desk.services.context import Ctx
from commune_desk.sync import transport as transport_mod
from commune_desk.ui.sync_conflicts import ConflictReview
from commune_desk.ui.tasks import run_task, show_error

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_COLORS = {"acked": "#e6f4ea", "failed": "#fde7e9", "held": "#fff4e5", "sent": "#e8f0fe", "pending": "#ffffff"}


def when(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def size_text(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class SyncWorker(QObject):
    """Pushes in the background whenever the WebDAV server answers.

    Signals:
        finished(object): a PushResult after a successful round.
        failed(str): why the last round did not reach the server (it tries again later).
    """

    finished = Signal(object)
    failed = Signal(str)

    MIN_INTERVAL_MS = 60_000
    MAX_INTERVAL_MS = 30 * 60_000

    def __init__(self, ctx: Ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.password: str | None = None  # kept in memory only, when there is no OS keyring
        self.enabled = True
        self.running = False
        self.interval = self.MIN_INTERVAL_MS
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_once)

    def start(self, first_delay_ms: int = 5000) -> None:
        self.timer.start(first_delay_ms)

    def stop(self) -> None:
        self.timer.stop()

    def configured(self) -> bool:
        cfg = sync_push.transport_config(self.ctx.db)
        return cfg.kind == "webdav" and bool(cfg.url) and svc.hub_peer(self.ctx.db) is not None

    def run_once(self) -> None:
        if self.running or not self.enabled:
            self.timer.start(self.interval)
            return
        if not self.configured():
            self.timer.start(self.MAX_INTERVAL_MS)
            return
        self.running = True
        password = self.password
        run_task(lambda ctl: sync_push.push(self.ctx, password=password), on_success=self._done,
                 on_failure=self._failed, on_finished=self._next, database=False)

    def _done(self, result) -> None:
        self.interval = self.MIN_INTERVAL_MS
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.interval = min(self.interval * 2, self.MAX_INTERVAL_MS)  # back off while offline
        self.failed.emit(str(exc))

    def _next(self) -> None:
        self.running = False
        self.timer.start(self.interval)


class SyncPage(QWidget):
    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.worker = SyncWorker(ctx, self)
        self.worker.finished.connect(self._pushed)
        self.worker.failed.connect(lambda msg: self.network_label.setText(_("Chưa gửi được qua mạng: {error}")
                                                                          .format(error=msg)))

        title = QLabel(_("Đồng bộ dữ liệu với cấp trên"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("sync_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("background: #eef6ee; padding: 6px; border-radius: 4px;")
        self.message.hide()

        self.enrol_box = self._enrol_box()
        self.send_box = self._send_box()
        self.network_box = self._network_box()

        self.table = QTableWidget(0, 7)
        self.table.setObjectName("sync_bundles")
        self.table.setHorizontalHeaderLabels([_("Gói số"), _("Tạo lúc"), _("Thay đổi"), _("Dung lượng"),
                                              _("Trạng thái"), _("Gửi"), _("Ghi chú")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for i in range(6):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(self.enrol_box, 1)
        top.addWidget(self.send_box, 1)
        top.addWidget(self.network_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.message)
        # conflicts of the bundles the hub sent down (the same review list as the hub's page)
        self.review = ConflictReview(ctx, "sync_conflicts")
        self.review.resolved.connect(lambda message: (self.say(message), self.refresh()))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, _("Các gói đã tạo (mới nhất ở trên)"))
        self.tabs.addTab(self.review, _("Xung đột chờ xem xét"))
        layout.addWidget(self.tabs, 1)
        window.data_changed.connect(lambda _kind: self.refresh())
        self.refresh()
        self.worker.start()

    # -- building -----------------------------------------------------------------------------
    def _enrol_box(self) -> QGroupBox:
        box = QGroupBox(_("1. Đăng ký với cấp trên"))
        self.enrol_label = QLabel()
        self.enrol_label.setWordWrap(True)
        self.enrol_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.enrol_button = QPushButton(_("Mở tệp giới thiệu của cấp trên…"))
        self.enrol_button.setObjectName("sync_enrol")
        self.enrol_button.clicked.connect(self.enrol)
        v = QVBoxLayout(box)
        v.addWidget(self.enrol_label, 1)
        v.addWidget(self.enrol_button)
        return box

    def _send_box(self) -> QGroupBox:
        box = QGroupBox(_("2. Gửi bằng USB hoặc thư mục dùng chung"))
        self.export_button = QPushButton(_("Xuất gói ra USB / thư mục…"))
        self.export_button.setObjectName("sync_export")
        self.export_button.clicked.connect(self.export)
        self.read_button = QPushButton(_("Đọc tệp của cấp trên (xác nhận, gói gửi xuống)…"))
        self.read_button.setObjectName("sync_read")
        self.read_button.clicked.connect(self.read_from_hub)
        hint = QLabel(_("Gói được mã hóa: chỉ cấp trên đã đăng ký mới mở được."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        v = QVBoxLayout(box)
        v.addWidget(self.export_button)
        v.addWidget(self.read_button)
        v.addWidget(hint)
        v.addStretch(1)
        return box

    def _network_box(self) -> QGroupBox:
        box = QGroupBox(_("3. Gửi qua mạng (WebDAV của cấp trên)"))
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://…")
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.auto_check = QCheckBox(_("Tự gửi khi có mạng"))
        self.auto_check.setChecked(True)
        self.auto_check.toggled.connect(lambda on: setattr(self.worker, "enabled", on))
        save = QPushButton(_("Lưu"))
        save.clicked.connect(self.save_network)
        self.push_button = QPushButton(_("Gửi ngay"))
        self.push_button.setObjectName("sync_push")
        self.push_button.clicked.connect(self.push_now)
        self.network_label = QLabel()
        self.network_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Địa chỉ"), self.url_edit)
        form.addRow(_("Tên đăng nhập"), self.user_edit)
        form.addRow(_("Mật khẩu"), self.password_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.auto_check)
        buttons.addStretch(1)
        buttons.addWidget(save)
        buttons.addWidget(self.push_button)
        v = QVBoxLayout(box)
        v.addLayout(form)
        v.addLayout(buttons)
        v.addWidget(self.network_label)
        return box

    # -- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        run_task(lambda ctl: (svc.status(self.ctx), sync_push.transport_config(self.ctx.db),
                              sync_hub.conflicts(self.ctx)),
                 on_success=self._show)

    def _show(self, data) -> None:
        st, cfg, conflicts = data
        self.current = st
        self.review.set_conflicts(conflicts)
        self.tabs.setTabText(1, _("Xung đột chờ xem xét ({n})").format(n=len(conflicts)))
        if st.hub_name:
            self.enrol_label.setText(_("Đã tin cậy: <b>{hub}</b> ({code}).<br>Dấu vân tay của cấp trên: {hubfp}<br>"
                                       "Dấu vân tay của đơn vị (đọc cho cấp trên khi đăng ký): <b>{fp}</b>")
                                     .format(hub=st.hub_name, code=st.hub_code, hubfp=st.hub_fingerprint,
                                             fp=st.my_fingerprint))
        else:
            self.enrol_label.setText(_("Chưa đăng ký. Nhận tệp giới thiệu của cấp trên (qua USB hoặc thư điện tử), "
                                       "mở nó ở đây, rồi gửi tệp yêu cầu lên cấp trên và đọc dấu vân tay qua điện "
                                       "thoại.<br>Dấu vân tay của đơn vị: <b>{fp}</b>").format(fp=st.my_fingerprint))
        enrolled = bool(st.hub_name)
        self.export_button.setEnabled(enrolled)
        self.read_button.setEnabled(enrolled)
        self.push_button.setEnabled(enrolled)
        counts = ", ".join(f"{svc.status_label(k).lower()}: {v}" for k, v in sorted(st.counts.items()))
        summary = _("Thay đổi chưa đóng gói: {n}.").format(n=st.pending_changes)
        if counts:
            summary += " " + _("Các gói — {counts}.").format(counts=counts)
        self.summary.setText(summary)
        if not self.url_edit.hasFocus():
            self.url_edit.setText(cfg.url or "")
            self.user_edit.setText(cfg.username or "")
        if cfg.last_error:
            self.network_label.setText(_("Lần gửi gần nhất bị lỗi: {error}").format(error=cfg.last_error))
        elif cfg.last_ok_at:
            self.network_label.setText(_("Gửi qua mạng thành công lúc {when}.").format(when=when(cfg.last_ok_at)))
        self.table.setRowCount(len(st.bundles))
        for row, b in enumerate(st.bundles):
            sent = ""
            if b.sent_at:
                via = _("qua mạng") if b.sent_via == "webdav" else _("ra thư mục")
                sent = f"{when(b.sent_at)} {via}: {b.sent_to or ''}"
            note = b.error if b.status != "acked" and b.error else (
                _("xác nhận lúc {when}").format(when=when(b.acked_at)) if b.acked_at else "")
            values = [str(b.seq), when(b.created_at), str(b.change_count), size_text(b.size_bytes),
                      svc.status_label(b.status), sent, note or ""]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setBackground(QColor(STATUS_COLORS.get(b.status, "#ffffff")))
                self.table.setItem(row, col, item)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.window_.statusBar().showMessage(text, 10000)

    # -- actions ------------------------------------------------------------------------------
    def enrol(self) -> None:
        hub_file, _filter = QFileDialog.getOpenFileName(self, _("Tệp giới thiệu của cấp trên"), "",
                                                        _("Tệp commune_desk (*.json);;Mọi tệp (*)"))
        if not hub_file:
            return
        out, _filter = QFileDialog.getSaveFileName(self, _("Lưu tệp yêu cầu đăng ký"),
                                                   str(Path(hub_file).with_name("yeu-cau-dang-ky.json")),
                                                   _("Tệp commune_desk (*.json)"))
        if not out:
            return
        self.do_enrol(hub_file, out)

    def do_enrol(self, hub_file: str | Path, out: str | Path) -> None:
        user = self.user_edit.text().strip() or None

        def done(result: svc.EnrolResult) -> None:
            self.say(_("Đã tin cậy {hub}. Tệp yêu cầu đã ghi vào {path}. Hãy gửi tệp này lên cấp trên và đọc dấu vân tay "
                       "của đơn vị qua điện thoại: {fp}").format(hub=result.hub_name, path=result.request_path,
                                                                 fp=result.my_fingerprint))
            self.refresh()

        run_task(lambda ctl: svc.enroll(self.ctx, hub_file, out, webdav_user=user), on_success=done, parent=self)

    def export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Chọn USB hoặc thư mục để chép gói"))
        if folder:
            self.do_export(folder)

    def do_export(self, folder: str | Path) -> None:
        def work(ctl):
            return svc.export(self.ctx, folder, progress=lambda d, t: ctl.progress(d, t, _("Đang đóng gói…")))

        def done(result: svc.ExportResult) -> None:
            self.say(result.message)
            self.refresh()

        run_task(work, on_success=done, parent=self, progress=_("Đang tạo và chép gói đồng bộ…"))

    def read_from_hub(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, _("Tệp của cấp trên"), "",
                                                      _("Xác nhận và gói đồng bộ (*.cdack *.cdb)"))
        if files:
            self.do_read(files)

    def do_read(self, files: list[str | Path]) -> None:
        def work(ctl):
            messages = []
            for i, name in enumerate(sorted(map(Path, files), key=lambda p: (p.suffix != ".cdb", p.name))):
                ctl.progress(i, len(files), name.name)
                if name.suffix == ".cdack":
                    messages.append(svc.apply_ack(self.ctx, name).message)
                else:
                    messages.append(svc.import_file(self.ctx, name).message)
            return messages

        def done(messages: list[str]) -> None:
            self.say("\n".join(messages))
            self.refresh()
            self.window_.data_changed.emit("sync")

        run_task(work, on_success=done, parent=self, progress=_("Đang đọc tệp của cấp trên…"))

    def save_network(self) -> None:
        url, user, password = self.url_edit.text().strip(), self.user_edit.text().strip(), self.password_edit.text()

        def done(stored: bool) -> None:
            if password and not stored:
                self.worker.password = password  # this session only; never written to the disk
                self.say(_("Đã lưu. Máy này không có kho mật khẩu của hệ điều hành: mật khẩu chỉ được giữ đến khi "
                           "đóng phần mềm."))
            else:
                self.say(_("Đã lưu cách gửi qua mạng."))
            self.password_edit.clear()
            self.refresh()

        run_task(lambda ctl: sync_push.configure(self.ctx, kind="webdav" if url else "folder", url=url or None,
                                                 username=user or None, password=password or None),
                 on_success=done, parent=self)

    def push_now(self) -> None:
        password = self.password_edit.text() or self.worker.password
        if not password and not transport_mod.keyring_usable() and not transport_mod.load_password(
                self.url_edit.text(), self.user_edit.text()):
            QMessageBox.information(self, "commune_desk", _("Hãy nhập mật khẩu máy chủ WebDAV."))
            return
        if password:
            self.worker.password = password

        def work(ctl):
            return sync_push.push(self.ctx, password=password,
                                  progress=lambda d, t: ctl.progress(d, t, _("Đang gửi từng phần…")))

        run_task(work, on_success=self._pushed, on_failure=self._push_failed, parent=self,
                 progress=_("Đang gửi qua mạng…"), database=False)

    def _pushed(self, result) -> None:
        self.say(result.message)
        self.refresh()
        if result.downstream:
            self.window_.data_changed.emit("sync")

    def _push_failed(self, exc: BaseException) -> None:
        self.refresh()
        show_error(self, exc)


def create_page(ctx: Ctx, window) -> QWidget:
    return SyncPage(ctx, window)
