"""The dossiers area: every dossier with its status and appointment (overdue ones marked),
search, filters, sorting, and a dossier's details with its history and next steps.

Keyboard: Ctrl+F search, arrows/PageDown/Ctrl+End in the list, Enter opens a dossier,
Esc goes back to the list.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import to_local
from commune_desk.domain.lifecycle import OPEN
from commune_desk.i18n import N_, _
from commune_desk.services import dossier_query as dq
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.ui.dossier_model import COLUMNS, ID_ROLE, OVERDUE_BOLD, DossierTableModel
from commune_desk.ui.dossier_view import DossierView
from commune_desk.ui.qdates import qtoday
from commune_desk.ui.tasks import run_task

SEARCH_DELAY_MS = 250
OPEN_STATUSES = tuple(sorted(s.value for s in OPEN))
OPEN_CHOICE = "open"
PERIODS = (
    ("all", N_("Mọi thời gian")),
    ("today", N_("Hôm nay")),
    ("7d", N_("7 ngày qua")),
    ("30d", N_("30 ngày qua")),
    ("month", N_("Tháng này")),
    ("year", N_("Năm nay")),
    ("last_year", N_("Năm trước")),
    ("range", N_("Khoảng ngày…")),
)
# each fixed column is as wide as a typical value in the table's own font (the font differs
# between Windows, Linux desktops and the offscreen platform): dates and codes are never cut
COLUMN_SAMPLES = {"code": "000.00.19.H56-261128-0001", "applicant": "Nguyễn Thị Phương Thảo",
                  "status": "Đang xử lý — quá hạn 53 ngày", "received": "28/11/2026 02:29",
                  "due": "30/11/2026 17:00", "handler": "Nguyễn Văn Bình"}


def period_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The received-date range of a period choice (both days included)."""
    if key == "today":
        return today, today
    if key == "7d":
        return today - dt.timedelta(days=6), today
    if key == "30d":
        return today - dt.timedelta(days=29), today
    if key == "month":
        return today.replace(day=1), today
    if key == "year":
        return today.replace(month=1, day=1), today
    if key == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None, None


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class DossiersPage(QWidget):
    def __init__(self, ctx: Ctx, window=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossiers_page")
        self.ctx = ctx
        self.window_ = window
        self._dirty = False

        # -- the filter bar -------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Tìm theo tên người nộp, mã hồ sơ, số định danh, số điện thoại (Ctrl+F)"))
        self.status = QComboBox()
        self.status.setObjectName("status_filter")
        self.status.addItem(_("Mọi trạng thái"), "")
        self.status.addItem(_("Đang giải quyết"), OPEN_CHOICE)
        self.overdue = QCheckBox(_("Chỉ hồ sơ quá hạn"))
        self.overdue.setObjectName("overdue_filter")
        self.procedure = QComboBox()
        self.procedure.setObjectName("procedure_filter")
        self.procedure.addItem(_("Mọi thủ tục"), None)
        self.procedure.setMinimumContentsLength(28)
        self.procedure.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field = QComboBox()
        self.field.setObjectName("field_filter")
        self.field.addItem(_("Mọi lĩnh vực"), None)
        self.field.setMinimumContentsLength(14)
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.period = QComboBox()
        self.period.setObjectName("period_filter")
        for key, label in PERIODS:
            self.period.addItem(_(label), key)
        today = qtoday()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.hide()
        self.clear_button = QPushButton(_("Bỏ lọc"))
        self.clear_button.setObjectName("clear_filters")

        row1 = QHBoxLayout()
        row1.addWidget(self.search, 1)
        row1.addWidget(self.status)
        row1.addWidget(self.overdue)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel(_("Thủ tục:")))
        row2.addWidget(self.procedure, 2)
        row2.addWidget(QLabel(_("Lĩnh vực:")))
        row2.addWidget(self.field, 1)
        row2.addWidget(QLabel(_("Ngày nhận:")))
        row2.addWidget(self.period)
        row2.addWidget(self.date_from)
        row2.addWidget(self.date_to)
        row2.addWidget(self.clear_button)

        # -- the list -------------------------------------------------------------------
        self.model = DossierTableModel(ctx, self)
        self.table = QTableView()
        self.table.setObjectName("dossier_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setCornerButtonEnabled(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        bold = QFont(self.table.font())
        bold.setBold(True)
        plain, heavy, head = self.table.fontMetrics(), QFontMetrics(bold), header.fontMetrics()
        for col, (key, label, _sort) in enumerate(COLUMNS):
            if key == "procedure":
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            else:  # cell padding; the header also holds the sort arrow
                cell = heavy if key in OVERDUE_BOLD else plain
                header.resizeSection(col, max(cell.horizontalAdvance(COLUMN_SAMPLES[key]) + 16,
                                              head.horizontalAdvance(_(label)) + 30))
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)

        self.count_label = QLabel(_("Đang tải…"))
        self.count_label.setObjectName("count")
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #555;")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(16)
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(QLabel(_("Enter: mở hồ sơ · Ctrl+End: cuối danh sách")))

        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(8, 8, 8, 4)
        list_layout.addLayout(row1)
        list_layout.addLayout(row2)
        list_layout.addWidget(self.error)
        list_layout.addWidget(self.table, 1)
        list_layout.addLayout(bottom)

        self.view = DossierView(ctx)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        # -- wiring -----------------------------------------------------------------------
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        for combo in (self.status, self.procedure, self.field):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(self.apply_filters)
        self.date_to.dateChanged.connect(self.apply_filters)
        self.overdue.toggled.connect(self.apply_filters)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.activated.connect(self.open_index)
        self.model.counted.connect(self._counted)
        self.model.loading.connect(self._loading)
        self.model.failed.connect(self._failed)
        self.model.rowsInserted.connect(lambda _parent, first, _last: first == 0 and self._select_first())
        self.view.back.connect(self.show_list)
        self.view.changed.connect(self._dossier_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        if window is not None and hasattr(window, "data_changed"):
            window.data_changed.connect(self._data_changed)

        self.table.setSortingEnabled(True)  # runs the first query (received, newest first)
        self._load_options()                # queued after it: the rows come first
        self.table.setFocus()

    # -- filters -------------------------------------------------------------------------
    def _load_options(self) -> None:
        run_task(lambda _ctl: dq.filter_options(self.ctx), on_success=self._fill_options, parent=self)

    def _fill_options(self, options: dq.FilterOptions) -> None:
        for combo in (self.status, self.procedure, self.field):
            combo.blockSignals(True)
        for value, label in options.statuses:
            self.status.addItem(label, value)
        for p in options.procedures:
            self.procedure.addItem(f"{p.code} — {p.name}", p.id)
            self.procedure.setItemData(self.procedure.count() - 1, p.name, Qt.ItemDataRole.ToolTipRole)
        for name in options.fields:
            self.field.addItem(name, name)
        for combo in (self.status, self.procedure, self.field):
            combo.blockSignals(False)

    def current_filter(self) -> dq.DossierFilter:
        key = self.period.currentData()
        if key == "range":
            start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        else:
            start, end = period_range(key, to_local(utcnow()).date())
        procedure = self.procedure.currentData()
        status = self.status.currentData() or ""
        statuses = OPEN_STATUSES if status == OPEN_CHOICE else (status,) if status else ()
        return dq.DossierFilter(text=self.search.text().strip(), statuses=statuses,
                                procedure_id=procedure if isinstance(procedure, uuid.UUID) else None,
                                field=self.field.currentData() or None, received_from=start, received_to=end,
                                overdue=self.overdue.isChecked())

    def apply_filters(self) -> None:
        flt = self.current_filter()
        if flt.received_from and flt.received_to and flt.received_from > flt.received_to:
            self._failed(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
            return
        self.error.hide()
        searching = flt.searching
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(not searching)
        header.setSectionsClickable(not searching)
        self.hint.setText(_("Kết quả tìm kiếm: hồ sơ mới nhận trước.") if searching else "")
        if flt != self.model.filter:
            self.count_label.setText(_("Đang tải…"))
            self.model.set_query(flt)

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.apply_filters()
        self.table.setFocus()

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "range"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self.apply_filters()

    def clear_filters(self) -> None:
        widgets = (self.search, self.status, self.procedure, self.field, self.period, self.overdue)
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        for combo in (self.status, self.procedure, self.field, self.period):
            combo.setCurrentIndex(0)
        self.overdue.setChecked(False)
        self.date_from.hide()
        self.date_to.hide()
        for w in widgets:
            w.blockSignals(False)
        self.apply_filters()

    def _focus_search(self) -> None:
        self.show_list()
        self.search.setFocus()
        self.search.selectAll()

    def _sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if COLUMNS[column][2] is None:  # this column has no index to sort on: keep the current order
            header = self.table.horizontalHeader()
            QTimer.singleShot(0, lambda: header.setSortIndicator(
                self.model.sort_column(),
                Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder))

    # -- the list's state ----------------------------------------------------------------
    def _counted(self, total: int) -> None:
        self.count_label.setText(_("{n} hồ sơ").format(n=thousands(total)))

    def _loading(self, busy: bool) -> None:
        if busy and self.model.total is None:
            self.count_label.setText(_("Đang tải…"))

    def _failed(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _data_changed(self, kind: str) -> None:
        if kind != "dossier":
            return
        if self.isVisible():
            self.model.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self._dirty = False
            self.model.refresh()

    # -- one dossier ---------------------------------------------------------------------
    def open_index(self, index) -> None:
        dossier_id = self.model.data(index, ID_ROLE)
        if dossier_id is not None:
            self.open_dossier(dossier_id)

    def open_dossier(self, dossier_id: uuid.UUID) -> None:
        self.view.open(dossier_id)
        self.stack.setCurrentWidget(self.view)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.table.setFocus()

    def _dossier_changed(self) -> None:
        if self.window_ is not None and hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("dossier")   # this page refreshes too, through _data_changed
        else:
            self.model.refresh()


def create_page(ctx: Ctx, window) -> QWidget:
    return DossiersPage(ctx, window)
