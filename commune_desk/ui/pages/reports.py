"""The reports page: choose a period (and, at the hub, the communes), see the periodic table
with its charts, satisfaction, scores and training figures, and export XLSX or PDF.

All database and file work runs through ``run_task``; the page only shows plain data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from commune_desk.domain.calendar import to_local
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.reports.model import FRESHNESS_LABEL, OFFICE_LABEL, Report
from commune_desk.services import personal_exports
from commune_desk.services import reports as service
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.ui import personal_data
from commune_desk.ui.forms import ERROR_STYLE
from commune_desk.ui.reports_charts import channel_chart, chart_view, overdue_chart, trend_chart
from commune_desk.ui.reports_table import report_table, show_number, show_rate
from commune_desk.ui.tasks import run_task


def preset_periods(today: date) -> list[tuple[str, str]]:
    """(code, label) of the periods people ask for most, newest first."""
    q = (today.month - 1) // 3 + 1
    pq_year, pq = (today.year - 1, 4) if q == 1 else (today.year, q - 1)
    pm_year, pm = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return [
        (f"{today.year}-Q{q}", _("Quý này ({code})").format(code=f"{today.year}-Q{q}")),
        (f"{pq_year}-Q{pq}", _("Quý trước ({code})").format(code=f"{pq_year}-Q{pq}")),
        (f"{today.year}-{today.month:02d}", _("Tháng này ({code})").format(code=f"{today.year}-{today.month:02d}")),
        (f"{pm_year}-{pm:02d}", _("Tháng trước ({code})").format(code=f"{pm_year}-{pm:02d}")),
        (f"{today.year}-H{1 if today.month <= 6 else 2}", _("6 tháng ({code})").format(
            code=f"{today.year}-H{1 if today.month <= 6 else 2}")),
        (f"{today.year}", _("Năm nay ({code})").format(code=today.year)),
        (f"{today.year - 1}", _("Năm trước ({code})").format(code=today.year - 1)),
    ]


def _fill(table: QTableWidget, headers: list[str], rows: list[list[object]]) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(headers)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c != 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    if len(headers) > 1:
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


def _plain_table() -> QTableWidget:
    table = QTableWidget()
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    return table


class ReportsPage(QWidget):
    """Signals: none of its own; listens to ``window.data_changed`` to mark the figures stale."""

    def __init__(self, ctx: Ctx, window=None) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.office = ctx.db.require_office()
        self.report: Report | None = None
        self.busy = False
        self.last_export: Path | None = None

        # -- the choice: period, cut-off, communes -------------------------------------------
        self.period = QComboBox()
        self.period.setEditable(True)
        self.period.setMinimumWidth(230)
        self.period.setObjectName("period")
        for code, label in preset_periods(to_local(utcnow()).date()):
            self.period.addItem(label, code)
        self.period.setToolTip(_("Ví dụ: 2027-Q1 (quý), 2027-03 (tháng), 2027 (năm), 2027-H1 (6 tháng), "
                                 "01/01/2027-31/03/2027"))
        self.cutoff = QCheckBox(_("Kỳ chốt số liệu (từ ngày {day} tháng trước)").format(day=15))
        self.run_button = QPushButton(_("Lập báo cáo"))
        self.run_button.setDefault(True)
        self.xlsx_button = QPushButton(_("Xuất Excel…"))
        self.pdf_button = QPushButton(_("Xuất PDF…"))
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(False)
        self.error = QLabel()
        self.error.setObjectName("error_period")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.summary = QLabel(_("Chọn kỳ báo cáo rồi bấm «Lập báo cáo»."))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # at the hub: which communes, in a drop-down that stays open while ticking
        self.commune_button = QToolButton()
        self.commune_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.commune_button.setText(_("Tất cả các xã"))
        self.communes = QListWidget()
        self.communes.setObjectName("communes")
        self.communes.setMinimumSize(300, 260)
        self.all_communes = QCheckBox(_("Tất cả các xã"))
        self.all_communes.setChecked(True)
        self.all_communes.toggled.connect(self._toggle_all)
        self.communes.itemChanged.connect(lambda _item: self._commune_label())
        chooser = QWidget()
        chooser_layout = QVBoxLayout(chooser)
        chooser_layout.addWidget(self.all_communes)
        chooser_layout.addWidget(self.communes)
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(chooser)
        menu.addAction(holder)
        self.commune_button.setMenu(menu)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Kỳ báo cáo:")))
        bar.addWidget(self.period)
        bar.addWidget(self.cutoff)
        if self.office.is_hub:
            bar.addWidget(QLabel(_("Xã:")))
            bar.addWidget(self.commune_button)
        bar.addStretch(1)
        bar.addWidget(self.run_button)
        bar.addWidget(self.xlsx_button)
        bar.addWidget(self.pdf_button)

        # -- the results -------------------------------------------------------------------------
        self.tabs = QTabWidget()
        table_box, self.table, self.model = report_table()
        self.charts = QWidget()
        self.chart_grid = QGridLayout(self.charts)
        self.chart_grid.setContentsMargins(0, 0, 0, 0)
        self.chart_views: list = []
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(table_box)
        main.addWidget(self.charts)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 2)
        self.tabs.addTab(main, _("Giải quyết TTHC"))
        self.office_box, self.office_table, self.office_model = report_table(OFFICE_LABEL, [FRESHNESS_LABEL])
        if self.office.is_hub:
            self.tabs.addTab(self.office_box, _("So sánh các xã"))
        self.satisfaction_label = QLabel()
        self.satisfaction_label.setWordWrap(True)
        self.criteria_table = _plain_table()
        self.officer_table = _plain_table()
        self.unit_table = _plain_table()
        self.training_label = QLabel()
        self.training_label.setWordWrap(True)
        self.training_table = _plain_table()
        self.people_table = _plain_table()
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.tabs.addTab(self._stack(self.satisfaction_label, self.criteria_table), _("Hài lòng"))
        self.tabs.addTab(self._stack(QLabel(_("Cán bộ, công chức")), self.officer_table,
                                     QLabel(_("Đơn vị")), self.unit_table), _("Chấm điểm"))
        self.tabs.addTab(self._stack(self.training_label, self.training_table, self.people_table), _("Bồi dưỡng"))
        self.tabs.addTab(self._stack(self.notes_label), _("Ghi chú"))

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

        self.run_button.clicked.connect(self.run)
        self.period.lineEdit().returnPressed.connect(self.run)
        self.xlsx_button.clicked.connect(lambda: self._ask_export(".xlsx"))
        self.pdf_button.clicked.connect(lambda: self._ask_export(".pdf"))
        if window is not None and hasattr(window, "data_changed"):
            window.data_changed.connect(self._stale)
        self._load_settings()

    # -- setup ---------------------------------------------------------------------------------
    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        for w in widgets:
            layout.addWidget(w, 0 if isinstance(w, QLabel) else 1)
        if all(isinstance(w, QLabel) for w in widgets):
            layout.addStretch(1)
        return box

    def _load_settings(self) -> None:
        ctx = self.ctx

        def fetch(_ctl):
            cutoff = bool(ctx.db.setting("reports.cutoff_periods"))
            return cutoff, int(ctx.db.setting("reports.cutoff_day")), service.known_communes(ctx)

        def show(result) -> None:
            cutoff, day, communes = result
            self.cutoff.setChecked(cutoff)
            self.cutoff.setText(_("Kỳ chốt số liệu (từ ngày {day} tháng trước)").format(day=day))
            self.communes.clear()
            for code, name in communes.items():
                item = QListWidgetItem(f"{code} {name}" if name != code else code)
                item.setData(Qt.ItemDataRole.UserRole, code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.communes.addItem(item)

        run_task(fetch, on_success=show, parent=self)

    def _toggle_all(self, checked: bool) -> None:
        for i in range(self.communes.count()):
            self.communes.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self._commune_label()

    def _commune_label(self) -> None:
        codes = self.selected_offices()
        if codes is None:
            self.commune_button.setText(_("Tất cả các xã"))
        else:
            self.commune_button.setText(_("{n} xã đã chọn").format(n=len([c for c in codes if c])))

    def _stale(self, kind: str) -> None:
        if self.report is not None and kind in ("dossier", "rating", "training", "sync"):
            self.summary.setText(self.summary.text().split("\n")[0] + "\n"
                                 + _("Số liệu đã thay đổi: bấm «Lập báo cáo» để cập nhật."))

    # -- running the report --------------------------------------------------------------------
    def period_text(self) -> str:
        text = self.period.currentText().strip()
        index = self.period.findText(text)
        if index >= 0 and self.period.itemData(index):
            return str(self.period.itemData(index))
        return text

    def selected_offices(self) -> list[str] | None:
        if not self.office.is_hub or self.all_communes.isChecked():
            return None
        codes = [self.communes.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.communes.count())
                 if self.communes.item(i).checkState() == Qt.CheckState.Checked]
        return codes or [""]

    def run(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.error.hide()
        self.run_button.setEnabled(False)
        ctx, text, cutoff, offices = self.ctx, self.period_text(), self.cutoff.isChecked(), self.selected_offices()

        def work(ctl):
            # the figures first; the monthly trend (a second scan) follows in its own task
            return service.periodic_report(ctx, text, offices=offices, cutoff=cutoff, trend=False,
                                           progress=lambda d, t: ctl.progress(d, t))

        def failed(exc: BaseException) -> None:
            self._failed(exc)
            self._done()

        run_task(work, on_success=self._table_ready, on_failure=failed, parent=self,
                 progress=_("Đang lập báo cáo…"))

    def _table_ready(self, report: Report) -> None:
        """Show the table at once, then compute the trend chart; the page stays busy (and the
        exports wait) until the chart is there too, so a file always holds every figure."""
        self.show_report(report, complete=False)
        ctx = self.ctx
        run_task(lambda _ctl: service.report_trend(ctx, report), on_success=self._trend_ready,
                 on_failure=self._failed, on_finished=self._done, parent=self,
                 progress=_("Đang tính tỷ lệ đúng hạn theo tháng…"))

    def _trend_ready(self, report: Report) -> None:
        self.report = report
        self._charts(report)
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(True)

    def _done(self) -> None:
        self.busy = False
        self.run_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, (ValidationError, KnownError)):
            self.error.setText(str(exc))
            self.error.show()
            return
        from commune_desk.ui.tasks import show_error

        show_error(self, exc)

    # -- showing it ----------------------------------------------------------------------------
    def show_report(self, report: Report, *, complete: bool = True) -> None:
        """Show ``report``; ``complete=False``: its trend is still to come (exports wait for it)."""
        self.report = report
        total = report.total
        scope = report.scope_name if not report.is_hub else _("{n} xã").format(n=len(report.office_codes))
        self.summary.setText(_("{period} — {scope}: {received} hồ sơ nhận giải quyết, tỷ lệ đúng hạn {rate}%, "
                               "mức độ hài lòng {satisfaction}%.").format(
            period=report.period.label(), scope=scope, received=show_number(total.received),
            rate=show_rate(total.rate), satisfaction=show_rate(report.satisfaction.figure)))
        if report.is_hub and report.freshness:
            dated = [f for f in report.freshness if f.last_at is not None]
            oldest = min(dated, key=lambda f: f.last_at) if dated else None
            missing = [f.office_name for f in report.freshness if f.last_at is None]
            note = (_("Số liệu cũ nhất: {day} ({name}).").format(day=self._freshness(oldest), name=oldest.office_name)
                    if oldest else "")
            if missing:
                note += " " + _("Chưa có số liệu: {names}.").format(names=", ".join(missing))
            self.summary.setText(self.summary.text() + "\n" + note.strip())
        self.model.set_rows(report.rows)
        self.table.resizeRowsToContents()
        if report.is_hub:
            fresh = {f.office_code: self._freshness(f) for f in report.freshness}
            self.office_model.set_rows(report.office_rows, [fresh])
            self.office_table.resizeRowsToContents()
        self._charts(report)
        self._satisfaction(report)
        self._scores(report)
        self._training(report)
        self.notes_label.setText("\n\n".join("• " + _(n) for n in report.notes))
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(complete)

    @staticmethod
    def _freshness(f) -> str:
        if f.last_at is None:
            return _("chưa có số liệu")
        day = to_local(f.last_at).strftime("%d/%m/%Y")
        return day if f.source == "bundle" else _("{day} (theo hồ sơ)").format(day=day)

    def _charts(self, report: Report) -> None:
        for view in self.chart_views:
            self.chart_grid.removeWidget(view)
            view.deleteLater()
        self.chart_views = [chart_view(trend_chart(report)), chart_view(channel_chart(report)),
                            chart_view(overdue_chart(report))]
        for i, view in enumerate(self.chart_views):
            self.chart_grid.addWidget(view, 0, i)
        self.chart_grid.setColumnStretch(0, 5)
        self.chart_grid.setColumnStretch(1, 4)
        self.chart_grid.setColumnStretch(2, 4)

    def _satisfaction(self, report: Report) -> None:
        s = report.satisfaction
        verdict = _("đạt điểm tối đa (từ 90% trở lên)") if s.full_points else _("chưa đạt 90%")
        self.satisfaction_label.setText(
            _("Mức độ hài lòng (Quyết định 766): 100% − (tỷ lệ quá hạn {overdue}% + tỷ lệ có phản ánh, không hài "
              "lòng {complaint}%) = {figure}% — {verdict}. Số hồ sơ có phản ánh hoặc không hài lòng: {n}; lượt "
              "đánh giá trong kỳ: {ratings}.").format(
                overdue=show_rate(s.overdue_rate), complaint=show_rate(s.complaint_rate),
                figure=show_rate(s.figure), verdict=verdict, n=show_number(s.complained),
                ratings=show_number(s.ratings)))
        _fill(self.criteria_table, [_("STT"), _("Tiêu chí"), _("Số lượt"), _("Điểm bình quân"), _("Thang điểm"),
                                    _("Tỷ lệ hài lòng (%)")],
              [[i, _(c.label), show_number(c.count), show_rate(c.average), f"0–{c.scale_max}"
                if c.scale_max == 2 else "1–5", show_rate(c.satisfied_rate)]
               for i, c in enumerate(report.criteria, start=1)])

    def _scores(self, report: Report) -> None:
        numbers = [i.number for i in report.officer_scores[0].indices] if report.officer_scores else []
        _fill(self.officer_table, [_("STT"), _("Cán bộ"), _("Số hồ sơ"),
                                   *[_("Chỉ số {n}").format(n=n) for n in numbers], _("Tổng điểm"), _("Xếp loại")],
              [[i, _(o.name) if o.name.startswith("(") else o.name, show_number(o.dossiers),
                *[show_rate(x.value, 1) for x in o.indices], show_rate(o.total, 1), _(o.rating)]
               for i, o in enumerate(report.officer_scores, start=1)])
        _fill(self.unit_table, [_("STT"), _("Đơn vị"), _("Số hồ sơ"),
                                *[_("Chỉ số {n}").format(n=n) for n in range(1, 10)], _("Tổng điểm"),
                                _("Xếp loại")],
              [[i, u.office_name, show_number(u.dossiers), *[show_rate(x.value, 1) for x in u.indices],
                show_rate(u.total, 1), _(u.rating)] for i, u in enumerate(report.unit_scores, start=1)])

    def _training(self, report: Report) -> None:
        t = report.training
        if not t.available:
            self.training_label.setText("\n".join(_(n) for n in t.notes) or _("Chưa có dữ liệu bồi dưỡng."))
            _fill(self.training_table, [], [])
            _fill(self.people_table, [], [])
            return
        self.training_label.setText(_(
            "Năm {year} (đến {day}): {staff} cán bộ, công chức; {trained} người đã được bồi dưỡng; {ok} người đạt "
            "tối thiểu {minimum} tiết. Bộ phận một cửa: {desk} người, {desk_ok} người đã được bồi dưỡng kỹ năng "
            "một cửa.").format(year=t.year, day=report.period.end.strftime("%d/%m/%Y"), staff=t.staff,
                               trained=t.trained, ok=t.meeting_minimum, minimum=t.minimum_periods,
                               desk=t.desk_staff, desk_ok=t.desk_staff_one_stop))
        rows = [[_("Loại khóa"), _(k), n, p] for k, n, p in t.by_type]
        rows += [[_("Chủ đề"), _(k), n, p] for k, n, p in t.by_topic]
        _fill(self.training_table, [_("Nhóm"), _("Loại khóa, chủ đề"), _("Số khóa"), _("Số lượt người")], rows)
        _fill(self.people_table, [_("STT"), _("Họ và tên"), _("Vị trí việc làm"), _("Số tiết"),
                                  _("Tối thiểu {n} tiết").format(n=t.minimum_periods)],
              [[i, name, position, show_number(periods), _("Đạt") if periods >= t.minimum_periods else _("Chưa đạt")]
               for i, (name, position, periods) in enumerate(t.people, start=1)])

    # -- export --------------------------------------------------------------------------------
    def _ask_export(self, suffix: str) -> None:
        if self.report is None:
            return
        kind = _("Tệp Excel (*.xlsx)") if suffix == ".xlsx" else _("Tệp PDF (*.pdf)")
        name = f"bao-cao-{self.report.period.code.replace('..', '_')}{suffix}"
        path, _filter = QFileDialog.getSaveFileName(self, _("Lưu báo cáo"), str(Path.home() / name), kind)
        if path:
            if not path.lower().endswith(suffix):
                path += suffix
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the shown report to ``path`` (.xlsx or .pdf) in the background."""
        report, ctx = self.report, self.ctx
        if report is None:
            return
        if personal_exports.report_lists_people(report, path) and not personal_data.confirm_plain_export(
                self, personal_exports.REPORT_PEOPLE, path):
            return  # nothing written, nothing audited

        def work(ctl):
            return service.export_report(ctx, report, path, progress=lambda d, t: ctl.progress(d, t))

        def done(result: Path) -> None:
            self.last_export = result
            self.summary.setText(self.summary.text().split("\n")[0] + "\n"
                                 + _("Đã lưu {path}").format(path=result))

        # ReportLab is not thread-safe: exports queue on the single worker like database jobs
        run_task(work, on_success=done, parent=self, progress=_("Đang xuất báo cáo…"))


def create_page(ctx: Ctx, window) -> QWidget:
    return ReportsPage(ctx, window)
