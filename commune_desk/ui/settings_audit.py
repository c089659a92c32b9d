"""Settings › Nhật ký: a leader browses the audit trail (who did what, when) with filters,
and checks that nobody has deleted or edited an entry."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.i18n import N_, _
from commune_desk.services import audit
from commune_desk.services.audit import AuditFilter, AuditRow, ChainReport
from commune_desk.services.context import Ctx
from commune_desk.ui.qdates import qtoday
from commune_desk.ui.tasks import run_task

PAGE = 200
ACTION_GROUPS: tuple[tuple[str, str], ...] = (
    ("", N_("Mọi việc")),
    ("login.", N_("Đăng nhập")),
    ("user.", N_("Tài khoản, vai trò")),
    ("data.change", N_("Thay đổi dữ liệu")),
    ("id.reveal", N_("Xem số định danh đầy đủ")),
    ("print", N_("In biểu mẫu")),
    ("export", N_("Xuất dữ liệu")),
    ("backup", N_("Sao lưu")),
    ("restore", N_("Khôi phục")),
    ("privacy.", N_("Dữ liệu cá nhân")),
    ("sync.", N_("Đồng bộ (gói dữ liệu)")),
)


class AuditTab(QWidget):
    COLUMNS = (N_("Thời gian"), N_("Người thực hiện"), N_("Việc"), N_("Đối tượng"), N_("Chi tiết"), N_("Số"))

    def __init__(self, ctx: Ctx, window) -> None:  # noqa: ARG002
        super().__init__()
        self.ctx = ctx
        self.rows: list[AuditRow] = []
        today = qtoday()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.actor = QComboBox()
        self.actor.setObjectName("actor")
        self.actor.addItem(_("Mọi người"), "")
        self.action = QComboBox()
        self.action.setObjectName("action")
        for value, label in ACTION_GROUPS:
            self.action.addItem(_(label), value)
        self.text = QLineEdit()
        self.text.setObjectName("text")
        self.text.setPlaceholderText(_("Mã hồ sơ, tên tệp, tài khoản…"))
        self.text.returnPressed.connect(self.search)
        self.search_button = QPushButton(_("Lọc"))
        self.search_button.clicked.connect(self.search)
        filters = QHBoxLayout()
        for label, widget in ((_("Từ ngày"), self.date_from), (_("đến"), self.date_to),
                              (_("Người"), self.actor), (_("Việc"), self.action)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.text, 1)
        filters.addWidget(self.search_button)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("audit")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((140, 120, 200, 240)):
            self.table.setColumnWidth(col, width)

        self.more_button = QPushButton(_("Xem thêm"))
        self.more_button.clicked.connect(self.more)
        self.verify_button = QPushButton(_("Kiểm tra toàn vẹn nhật ký"))
        self.verify_button.clicked.connect(self.verify)
        self.count_label = QLabel()
        self.verify_label = QLabel()
        self.verify_label.setObjectName("verify")
        self.verify_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.more_button)
        bottom.addStretch(1)
        bottom.addWidget(self.verify_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.verify_label)
        run_task(lambda _ctl: audit.actors(self.ctx), on_success=self._fill_actors, parent=self)
        self.search()

    def _fill_actors(self, names: list[str]) -> None:
        for name in names:
            self.actor.addItem(name, name)

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit) -> dt.date:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day())

        return AuditFilter(date_from=day(self.date_from), date_to=day(self.date_to),
                           actor=self.actor.currentData() or None, action=self.action.currentData() or None,
                           text=self.text.text().strip() or None)

    def search(self) -> None:
        flt = self.current_filter()
        run_task(lambda _ctl: audit.browse(self.ctx, flt, limit=PAGE),
                 on_success=lambda rows: self._fill(rows, append=False), parent=self)

    def more(self) -> None:
        if not self.rows:
            return
        flt, last = self.current_filter(), self.rows[-1]
        run_task(lambda _ctl: audit.browse(self.ctx, flt, limit=PAGE, after=(last.at, last.seq)),
                 on_success=lambda rows: self._fill(rows, append=True), parent=self)

    def _fill(self, rows: list[AuditRow], *, append: bool) -> None:
        start = len(self.rows) if append else 0
        self.rows = (self.rows if append else []) + rows
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(rows, start):
            actor = row.actor if row.actor != "unknown" else _("(không rõ)")
            cells = (row.at.strftime("%d/%m/%Y %H:%M:%S"), actor, row.action_label, row.target, row.details,
                     str(row.seq))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.count_label.setText(_("{n} mục").format(n=len(self.rows)))
        self.more_button.setEnabled(len(rows) >= PAGE)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)

        def done(report: ChainReport) -> None:
            self.verify_label.setText(report.summary() if report.ok else "\n".join(
                [report.summary()] + [p.message for p in report.problems[1:6]]))
            self.verify_label.setStyleSheet("color: #1b5e20;" if report.ok else "color: #b00020; font-weight: bold;")

        run_task(lambda _ctl: audit.verify(self.ctx), on_success=done,
                 on_finished=lambda: self.verify_button.setEnabled(True), parent=self,
                 progress=_("Đang kiểm tra nhật ký…"))


def create_tab(ctx: Ctx, window) -> QWidget:
    return AuditTab(ctx, window)
