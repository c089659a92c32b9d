"""The intake form: receive a citizen's dossier from the keyboard in under a minute.

Procedure (type part of the name or code, Enter) → applicant (a known ID number fills the
rest) → tick the documents (Space) → Ctrl+S saves, prints the receipt and shows its
preview. The appointment is recomputed live from a calendar loaded once off the UI thread.
Every database and PDF job goes through ``run_task``; the form is autosaved as a draft.

Signals:
    saved(object): a dossier was received (a ``ReceivedDossier``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.applicant import check_applicant, clean_id_number, parse_date
from commune_desk.domain.calendar import to_local
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import documents, intake, relay
from commune_desk.services.context import Ctx
from commune_desk.services.intake import (
    CHANNELS,
    DELIVERIES,
    DocumentLine,
    FeeItem,
    IntakeForm,
    ProcedureChoice,
    ReceivedDossier,
)
from commune_desk.store.base import utcnow, uuid7
from commune_desk.ui.tasks import run_task, show_error

WEEKDAYS = (N_("Thứ Hai"), N_("Thứ Ba"), N_("Thứ Tư"), N_("Thứ Năm"), N_("Thứ Sáu"), N_("Thứ Bảy"), N_("Chủ nhật"))
APPLICANT_FIELDS = ("name", "id_number", "dob", "phone", "email", "address")
AUTOSAVE_MS = 1500
CLOCK_MS = 20_000
ERROR_STYLE = "color: #b00020;"


def day_text(moment: dt.datetime) -> str:
    """'17:00, Thứ Sáu 04/12/2026'."""
    return _("{time}, {weekday} {date}").format(time=moment.strftime("%H:%M"),
                                               weekday=_(WEEKDAYS[moment.weekday()]),
                                               date=moment.strftime("%d/%m/%Y"))


def money_text(vnd: int) -> str:
    return f"{vnd:,}".replace(",", ".")


class ProcedurePicker(QLineEdit):
    """Type part of a name ("ket hon", "kết hôn") or a code ("1.000894"), pick with Enter.

    Signals:
        chosen(object): a ``ProcedureChoice`` was picked.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices: list[ProcedureChoice] = []
        self.current: ProcedureChoice | None = None
        self.matches: list[ProcedureChoice] = []
        self.setPlaceholderText(_("Gõ tên hoặc mã thủ tục (có dấu hoặc không dấu), ví dụ: ket hon, 1.000894"))
        self.setClearButtonEnabled(True)
        self.model = QStringListModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setMaxVisibleItems(12)
        self.completer_.setWidget(self)
        self.completer_.activated[str].connect(self._activated)
        self.textEdited.connect(self._edited)
        self.returnPressed.connect(self.choose_best)
        self.editingFinished.connect(self._restore_label)

    def set_choices(self, choices: list[ProcedureChoice]) -> None:
        self.choices = choices
        if self.text() and self.current is None:
            self._edited(self.text())

    def _edited(self, text: str) -> None:
        self.matches = intake.match_procedures(self.choices, text, limit=40)
        self.model.setStringList([c.label for c in self.matches])
        if self.matches and text.strip():
            self.completer_.complete()
            popup = self.completer_.popup()
            popup.setCurrentIndex(self.model.index(0, 0))
        else:
            self.completer_.popup().hide()

    def _activated(self, label: str) -> None:
        choice = next((c for c in self.matches if c.label == label), None) \
            or next((c for c in self.choices if c.label == label), None)
        if choice is not None:
            self.choose(choice)

    def choose_best(self) -> None:
        if self.current is not None and self.text() == self.current.label:
            return
        matches = intake.match_procedures(self.choices, self.text(), limit=1)
        if matches:
            self.choose(matches[0])

    def choose(self, choice: ProcedureChoice | None) -> None:
        self.current = choice
        self.completer_.popup().hide()
        self.setText(choice.label if choice else "")
        self.setCursorPosition(0)
        self.chosen.emit(choice)

    def _restore_label(self) -> None:
        if self.completer_.popup().isVisible():
            return
        if self.current is not None and self.text() != self.current.label:
            self.setText(self.current.label)
            self.setCursorPosition(0)


class IntakeWidget(QWidget):
    """The "Tiếp nhận hồ sơ" tab.

    Signals:
        saved(object): a dossier was received (``ReceivedDossier``) and its receipt written.
    """

    saved = Signal(object)

    def __init__(self, ctx: Ctx, window: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.rules: intake.DeskRules | None = None
        self.procedure: ProcedureChoice | None = None
        self.draft_id: uuid.UUID | None = None
        self.last_saved: ReceivedDossier | None = None
        self.last_pdf: Path | None = None
        self.preview = None
        self._quiet_depth = 0         # > 0 while code fills fields: no autosave, no lookups
        self._touched: set[str] = set()
        self._looked_up: str | None = None
        self.errors: dict[str, QLabel] = {}
        self._build()
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave_now)
        self._clock = QTimer(self, interval=CLOCK_MS, timeout=self.update_appointment)
        self._clock.start()
        self._wire()
        self.load()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Fill fields from code without autosaving or looking up the citizen."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    # -- building ----------------------------------------------------------------------
    def _error_label(self, key: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{key}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.setMinimumHeight(14)
        self.errors[key] = label
        return label

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 6, 8, 6)
        root.setSpacing(6)

        # the procedure
        top = QGridLayout()
        picker_label = QLabel(_("&Thủ tục:"))
        self.picker = ProcedurePicker()
        picker_label.setBuddy(self.picker)
        self.procedure_info = QLabel(_("Chưa chọn thủ tục."))
        self.procedure_info.setWordWrap(True)
        self.procedure_info.setStyleSheet("color: #444;")
        # a push button with a menu: its width counts the menu arrow (a tool button's arrow
        # was drawn over the text, and "Nháp" looked cut off at the right edge)
        self.drafts_button = QPushButton(_("Nháp"))
        self.drafts_button.setObjectName("drafts_button")
        self.drafts_menu = QMenu(self.drafts_button)
        self.drafts_button.setMenu(self.drafts_menu)
        self.time_spin = QSpinBox()
        self.time_spin.setRange(0, intake.MAX_DAYS)
        self.time_spin.setSpecialValueText("—")
        self.time_label = QLabel(_("Thời hạn (ngà&y):"))
        self.time_label.setBuddy(self.time_spin)
        self.time_spin.setToolTip(_("Danh mục chưa có thời hạn giải quyết của thủ tục này: nhập số ngày"))
        info_row = QHBoxLayout()
        info_row.addWidget(self.procedure_info, 1)
        info_row.addWidget(self.time_label)
        info_row.addWidget(self.time_spin)
        self.time_label.hide()
        self.time_spin.hide()
        top.addWidget(picker_label, 0, 0)
        top.addWidget(self.picker, 0, 1)
        top.addWidget(self.drafts_button, 0, 2)
        top.addLayout(info_row, 1, 1, 1, 2)
        errors_row = QHBoxLayout()
        errors_row.addWidget(self._error_label("procedure"), 1)
        errors_row.addWidget(self._error_label("time_value"))
        top.addLayout(errors_row, 2, 1, 1, 2)
        top.setColumnStretch(1, 1)
        root.addLayout(top)

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #e8f1fb; border: 1px solid #9cc1e8; padding: 4px;")
        self.notice.hide()
        root.addWidget(self.notice)

        columns = QHBoxLayout()
        columns.setSpacing(10)
        columns.addWidget(self._applicant_box(), 4)
        columns.addWidget(self._documents_box(), 6)
        root.addLayout(columns, 1)
        root.addWidget(self._bottom_bar())

    def _applicant_box(self) -> QGroupBox:
        box = QGroupBox(_("Người nộp hồ sơ"))
        grid = QGridLayout(box)
        grid.setVerticalSpacing(1)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.id_edit = QLineEdit()
        self.id_edit.setMaxLength(16)
        self.id_edit.setPlaceholderText(_("12 chữ số (CMND cũ: 9)"))
        self.dob_edit = QLineEdit()
        self.dob_edit.setMaxLength(10)
        self.dob_edit.setPlaceholderText(_("ngày/tháng/năm"))
        self.phone_edit = QLineEdit()
        self.phone_edit.setMaxLength(16)
        self.phone_edit.setPlaceholderText("09xx xxx xxx")
        self.email_edit = QLineEdit()
        self.email_edit.setMaxLength(200)
        self.address_edit = QLineEdit()
        self.address_edit.setMaxLength(500)
        self.note_edit = QLineEdit()
        self.note_edit.setMaxLength(500)
        self.fields = {"name": self.name_edit, "id_number": self.id_edit, "dob": self.dob_edit,
                       "phone": self.phone_edit, "email": self.email_edit, "address": self.address_edit}
        rows = [("name", _("&Họ và tên:")), ("id_number", _("Số định &danh:")), ("dob", _("&Ngày sinh:")),
                ("phone", _("Điện th&oại:")), ("email", _("&Email:")), ("address", _("Đị&a chỉ:"))]
        for i, (key, text) in enumerate(rows):
            label = QLabel(text)
            label.setBuddy(self.fields[key])
            grid.addWidget(label, 2 * i, 0)
            grid.addWidget(self.fields[key], 2 * i, 1)
            grid.addWidget(self._error_label(key), 2 * i + 1, 1)
        note_label = QLabel(_("Ghi &chú:"))
        note_label.setBuddy(self.note_edit)
        grid.addWidget(note_label, 12, 0)
        grid.addWidget(self.note_edit, 12, 1)
        grid.setRowStretch(13, 1)
        grid.setColumnStretch(1, 1)
        return box

    def _documents_box(self) -> QGroupBox:
        box = QGroupBox(_("Giấy tờ đã nhận (Space: đánh dấu)"))
        layout = QVBoxLayout(box)
        self.docs = QTableWidget(0, 4)
        self.docs.setObjectName("documents")
        self.docs.setHorizontalHeaderLabels([_("Tên giấy tờ"), _("Hình thức"), _("Số lượng"), _("Yêu cầu")])
        self.docs.verticalHeader().setVisible(False)
        self.docs.setWordWrap(True)
        self.docs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.docs.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.docs.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        head = self.docs.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.docs.fontMetrics()
        for col, widest in ((1, _("Xuất trình")), (2, _("Số lượng")), (3, _("Bắt buộc"))):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            head.resizeSection(col, metrics.horizontalAdvance(widest) + 24)
        layout.addWidget(self.docs, 1)
        tick_row = QHBoxLayout()
        self.tick_all = QPushButton(_("Đã nhận đủ &tất cả"))
        tick_row.addWidget(self.tick_all)
        tick_row.addWidget(self._error_label("documents"), 1)
        layout.addLayout(tick_row)

        options = QGridLayout()
        self.sets_spin = QSpinBox()
        self.sets_spin.setRange(1, intake.MAX_SETS)
        self.channel_combo = QComboBox()
        for key, label in CHANNELS.items():
            self.channel_combo.addItem(_(label), key)
        self.delivery_combo = QComboBox()
        for key, label in DELIVERIES.items():
            self.delivery_combo.addItem(_(label), key)
        for col, (text, widget) in enumerate(((_("Số &bộ:"), self.sets_spin), (_("Nộ&p qua:"), self.channel_combo),
                                             (_("Nhận &kết quả:"), self.delivery_combo))):
            label = QLabel(text)
            label.setBuddy(widget)
            options.addWidget(label, 0, 2 * col)
            options.addWidget(widget, 0, 2 * col + 1)
        options.setColumnStretch(3, 1)
        options.setColumnStretch(5, 1)
        # Decree 118/2025: a dossier of another commune of the province may be received here
        self.competent_combo = QComboBox()
        self.competent_combo.setObjectName("competent_office")
        self.competent_combo.addItem(_("Đơn vị này"), "")
        self.competent_combo.setToolTip(_("Công dân có thể nộp hồ sơ tại bất kỳ xã/phường nào trong tỉnh: chọn "
                                          "xã/phường có thẩm quyền giải quyết; hồ sơ sẽ được chuyển qua cấp trên."))
        competent_label = QLabel(_("Xã/phường &giải quyết:"))
        competent_label.setBuddy(self.competent_combo)
        options.addWidget(competent_label, 1, 0)
        options.addWidget(self.competent_combo, 1, 1, 1, 3)
        options.addWidget(self._error_label("competent_office"), 1, 4, 1, 2)
        layout.addLayout(options)

        self.fees = QTableWidget(0, 2)
        self.fees.setObjectName("fees")
        self.fees.setHorizontalHeaderLabels([_("Phí, lệ phí"), _("Số tiền (đồng)")])
        self.fees.verticalHeader().setVisible(False)
        self.fees.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.fees.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.fees.setMaximumHeight(96)
        self.fees.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        layout.addWidget(self.fees)
        fee_row = QHBoxLayout()
        self.fee_total = QLabel()
        fee_row.addWidget(self.fee_total)
        fee_row.addWidget(self._error_label("fees"), 1)
        layout.addLayout(fee_row)
        for key in ("sets_count", "channel", "result_delivery"):
            self._error_label(key)
        return box

    def _bottom_bar(self) -> QFrame:
        bar = QFrame()
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(bar)
        self.appointment = QLabel()
        self.appointment.setObjectName("appointment")
        font = QFont(self.appointment.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.appointment.setFont(font)
        self.appointment_detail = QLabel()
        self.appointment_detail.setStyleSheet("color: #444;")
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.appointment)
        texts.addWidget(self.appointment_detail)
        layout.addLayout(texts, 1)
        self.reprint_button = QPushButton(_("In lại giấy vừa lưu"))
        self.reprint_button.setEnabled(False)
        self.clear_button = QPushButton(_("Xóa trắng"))
        self.draft_button = QPushButton(_("Lưu nháp"))
        self.save_button = QPushButton(_("Lưu và in giấy tiếp nhận (Ctrl+S)"))
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.save_button.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        for button in (self.reprint_button, self.clear_button, self.draft_button, self.save_button):
            layout.addWidget(button)
        return bar

    def _wire(self) -> None:
        self.picker.chosen.connect(self.set_procedure)
        for key, edit in self.fields.items():
            edit.textChanged.connect(self._changed)
            edit.editingFinished.connect(lambda k=key: self._touch(k))
        self.note_edit.textChanged.connect(self._changed)
        self.competent_combo.currentIndexChanged.connect(self._changed)
        self.id_edit.textChanged.connect(self._id_changed)
        self.dob_edit.editingFinished.connect(lambda: self._touch("id_number") if self.id_edit.text() else None)
        self.docs.itemChanged.connect(self._docs_changed)
        self.fees.itemChanged.connect(self._fees_changed)
        self.tick_all.clicked.connect(self.tick_all_documents)
        self.sets_spin.valueChanged.connect(self._changed)
        self.time_spin.valueChanged.connect(self._changed)
        self.time_spin.valueChanged.connect(self.update_appointment)
        self.channel_combo.currentIndexChanged.connect(self._changed)
        self.delivery_combo.currentIndexChanged.connect(self._changed)
        self.save_button.clicked.connect(self.save_and_print)
        self.draft_button.clicked.connect(self.save_draft_and_clear)
        self.clear_button.clicked.connect(self.ask_clear)
        self.reprint_button.clicked.connect(self.reprint_last)
        for keys in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save_and_print,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("F3"), self, activated=self.focus_picker,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.picker.setToolTip(_("F3: chọn thủ tục"))

    # -- loading ---------------------------------------------------------------------
    def load(self) -> None:
        """The catalog, the calendar and the drafts, off the UI thread."""
        ctx = self.ctx

        def work(_ctl):
            rules = intake.load_desk_rules(ctx)
            today = to_local(utcnow()).date()
            rules.calendar.add_working_days(today, 30)  # warm the holiday tables of the weeks ahead
            return intake.load_procedures(ctx), rules, intake.load_drafts(ctx)

        run_task(work, on_success=self._loaded, parent=self)
        if self.competent_combo.count() == 1:  # the province's communes (a package read once, off the UI thread)
            office = ctx.db.require_office()
            run_task(lambda _ctl: relay.other_communes(office), on_success=self._fill_communes, parent=self)

    def _fill_communes(self, communes: list) -> None:
        """The communes a dossier received here may be for (Decree 118/2025)."""
        current = self.competent_combo.currentData() or getattr(self, "_pending_competent", "")
        with self.quiet():
            for unit in communes:
                self.competent_combo.addItem(f"{unit.name} ({unit.code})", unit.code)
            self._set_combo(self.competent_combo, current)

    def _loaded(self, result) -> None:
        choices, rules, drafts = result
        self.rules = rules
        self.picker.set_choices(choices)
        self._show_drafts(drafts)
        first_load, self._restored = not getattr(self, "_restored", False), True
        if first_load and drafts and not self.has_content():  # the form a crash interrupted
            newest = drafts[0]
            self.show_notice(_("Có {n} hồ sơ đang nhập dở (lưu lúc {time}). Hồ sơ mới nhất đã được mở lại: {what}.")
                             .format(n=len(drafts), time=to_local(newest.updated_at).strftime("%H:%M %d/%m/%Y"),
                                     what=newest.summary))
            self.apply_payload(newest.payload, newest.id)
        self.update_appointment()

    def reload_catalog(self) -> None:
        self.load()

    def _show_drafts(self, drafts: list[intake.DraftInfo]) -> None:
        self.drafts_menu.clear()
        self.drafts_button.setText(_("Nháp ({n})").format(n=len(drafts)) if drafts else _("Nháp"))
        self.drafts_button.setEnabled(bool(drafts))
        for draft in drafts:
            when = to_local(draft.updated_at).strftime("%H:%M %d/%m")
            action = self.drafts_menu.addAction(f"{when} — {draft.summary}")
            action.triggered.connect(lambda _c=False, d=draft: self.open_draft(d))

    def refresh_drafts(self) -> None:
        run_task(lambda _ctl: intake.load_drafts(self.ctx), on_success=self._show_drafts, parent=self)

    # -- the procedure ---------------------------------------------------------------
    def focus_picker(self) -> None:
        self.picker.setFocus()
        self.picker.selectAll()

    def set_procedure(self, choice: ProcedureChoice | None, lines: list[DocumentLine] | None = None,
                      fees: list[FeeItem] | None = None) -> None:
        self.procedure = choice
        with self.quiet():
            self.docs.setRowCount(0)
            self.fees.setRowCount(0)
            asks_days = choice is not None and intake.needs_time_value(choice)
            self.time_label.setVisible(asks_days)
            self.time_spin.setVisible(asks_days)
            self.time_spin.setValue(0)
            if choice is None:
                self.procedure_info.setText(_("Chưa chọn thủ tục."))
            else:
                info = _("{code} · Lĩnh vực {field} · Thời hạn: {time}").format(
                    code=choice.code, field=choice.field,
                    time=_("chưa có trong danh mục") if asks_days else choice.time_label)
                if choice.result:
                    info += " · " + _("Kết quả: {result}").format(result=choice.result)
                self.procedure_info.setText(info)
                self._fill_documents(lines if lines is not None else intake.form_lines(choice))
                self._fill_fees(fees if fees is not None else list(choice.fees))
                self.errors["procedure"].clear()
        self._update_fee_total()
        self.update_appointment()
        self._changed()
        if choice is not None and lines is None and not self.name_edit.text():
            self.name_edit.setFocus()

    def _fill_documents(self, lines: list[DocumentLine]) -> None:
        self.docs.setRowCount(len(lines))
        for row, line in enumerate(lines):
            name = QTableWidgetItem(line.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked if line.received else Qt.CheckState.Unchecked)
            name.setData(Qt.ItemDataRole.UserRole, line.required)
            form = QTableWidgetItem(line.form.capitalize())
            form.setData(Qt.ItemDataRole.UserRole, line.form)
            form.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            count = QTableWidgetItem()
            count.setData(Qt.ItemDataRole.EditRole, int(line.count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            need = QTableWidgetItem(_("Bắt buộc") if line.required else _("Nếu có"))
            need.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            if not line.required:
                need.setForeground(QColor("#666"))
            for col, item in enumerate((name, form, count, need)):
                self.docs.setItem(row, col, item)
        self.docs.resizeRowsToContents()
        if lines:
            self.docs.setCurrentCell(0, 0)

    def _fill_fees(self, fees: list[FeeItem]) -> None:
        self.fees.setRowCount(len(fees))
        for row, fee in enumerate(fees):
            name = QTableWidgetItem(fee.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            if fee.note:
                name.setToolTip(fee.note)
            amount = QTableWidgetItem("" if fee.amount_vnd is None else money_text(fee.amount_vnd))
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setToolTip(_("Mức do HĐND tỉnh quy định: nhập số tiền (0 nếu được miễn)")
                              if fee.amount_vnd is None else _("Có thể sửa khi được miễn, giảm"))
            if fee.amount_vnd is None:
                amount.setBackground(QColor("#fff6d5"))
            self.fees.setItem(row, 0, name)
            self.fees.setItem(row, 1, amount)
        self.fees.resizeRowsToContents()

    def tick_all_documents(self) -> None:
        for row in range(self.docs.rowCount()):
            self.docs.item(row, 0).setCheckState(Qt.CheckState.Checked)

    # -- reading the form ------------------------------------------------------------
    def document_lines(self) -> list[DocumentLine]:
        out = []
        for row in range(self.docs.rowCount()):
            name = self.docs.item(row, 0)
            count = self.docs.item(row, 2).data(Qt.ItemDataRole.EditRole)
            out.append(DocumentLine(name.text(), self.docs.item(row, 1).data(Qt.ItemDataRole.UserRole),
                                    int(count or 0), bool(name.data(Qt.ItemDataRole.UserRole)),
                                    name.checkState() == Qt.CheckState.Checked))
        return out

    def fee_items(self) -> tuple[list[FeeItem], str | None]:
        """The fees as typed, and a problem with them (or None)."""
        out, problem = [], None
        for row in range(self.fees.rowCount()):
            name = self.fees.item(row, 0).text()
            raw = self.fees.item(row, 1).text().strip()
            digits = raw.replace(".", "").replace(",", "").replace(" ", "").removesuffix("đ")
            if not raw:
                out.append(FeeItem(name, None))
            elif digits.isdigit():
                out.append(FeeItem(name, int(digits)))
            else:
                out.append(FeeItem(name, None))
                problem = _("Số tiền \u201c{value}\u201d không hợp lệ: chỉ nhập chữ số.").format(value=raw)
        return out, problem

    def collect(self) -> tuple[IntakeForm, dict[str, str]]:
        """The form as plain data, with the problems the window can see by itself."""
        problems: dict[str, str] = {}
        try:
            dob = parse_date(self.dob_edit.text())
        except ValueError:
            dob = None
            problems["dob"] = _("Ngày sinh không đúng dạng ngày/tháng/năm (ví dụ 17/05/1990).")
        fees, fee_problem = self.fee_items()
        if fee_problem:
            problems["fees"] = fee_problem
        form = IntakeForm(
            procedure_code=self.procedure.code if self.procedure else "",
            name=self.name_edit.text(), id_number=self.id_edit.text(), dob=dob, phone=self.phone_edit.text(),
            address=self.address_edit.text(), email=self.email_edit.text(), documents=self.document_lines(),
            sets_count=self.sets_spin.value(), channel=self.channel_combo.currentData(), fees=fees,
            result_delivery=self.delivery_combo.currentData(), note=self.note_edit.text(),
            draft_id=self.draft_id, time_value=self.typed_days(),
            competent_office_code=self.competent_combo.currentData() or "")
        return form, problems

    def typed_days(self) -> int | None:
        return self.time_spin.value() or None if self.time_spin.isVisibleTo(self) else None

    def has_content(self) -> bool:
        return bool(self.procedure or any(e.text().strip() for e in self.fields.values()) or self.note_edit.text())

    # -- live feedback ---------------------------------------------------------------
    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self.validate_fields(only_touched=True)

    def validate_fields(self, *, only_touched: bool) -> dict[str, str]:
        """Messages next to the applicant fields (those the clerk has left, or all)."""
        form, problems = self.collect()
        _applicant, errors = check_applicant(name=form.name, id_number=form.id_number, dob=form.dob,
                                             phone=form.phone, address=form.address, email=form.email)
        if "dob" in problems:
            errors["dob"] = problems["dob"]
        for key in APPLICANT_FIELDS:
            show = not only_touched or key in self._touched
            self.errors[key].setText(errors.get(key, "") if show else "")
        return errors

    def _changed(self, *_args) -> None:
        if self._quiet_depth:
            return
        if self.draft_id is None and self.has_content():
            self.draft_id = uuid7()
        if self.draft_id is not None:
            self._autosave.start()

    def _docs_changed(self, _item: QTableWidgetItem) -> None:
        if self._quiet_depth:
            return
        self.errors["documents"].clear()
        self._changed()

    def _fees_changed(self, _item: QTableWidgetItem) -> None:
        if self._quiet_depth:
            return
        self._update_fee_total()
        self._changed()

    def _update_fee_total(self) -> None:
        fees, problem = self.fee_items()
        total = sum(f.amount_vnd or 0 for f in fees)
        unset = [f.name for f in fees if f.amount_vnd is None]
        text = _("Tổng phí, lệ phí: {total} đồng").format(total=money_text(total))
        if unset:
            text += " " + _("(chưa nhập: {names})").format(names="; ".join(unset))
        if self.procedure is None:
            text = ""
        elif not fees:
            text = _("Thủ tục không thu phí, lệ phí.")
        self.fee_total.setText(text)
        self.errors["fees"].setText(problem or "")

    def update_appointment(self) -> None:
        if self.procedure is None:
            self.appointment.setText(_("Hẹn trả kết quả: —"))
            self.appointment_detail.setText(_("Chọn thủ tục để tính ngày hẹn."))
            return
        if self.rules is None:
            self.appointment.setText(_("Hẹn trả kết quả: đang tải lịch làm việc…"))
            return
        now = to_local(utcnow())
        days = self.typed_days()
        due = intake.preview_appointment(self.rules, self.procedure, now, days)
        if due is None:
            self.appointment.setText(_("Hẹn trả kết quả: —"))
            self.appointment_detail.setText(_("Danh mục chưa có thời hạn giải quyết: nhập số ngày ở ô “Thời hạn”."))
            return
        time = self.procedure.time_label if days is None else intake.time_label(self.procedure.time_kind, days)
        self.appointment.setText(_("Hẹn trả kết quả: {when}").format(when=day_text(due)))
        self.appointment_detail.setText(_("Thời hạn: {time} · nhận lúc {now}").format(time=time, now=day_text(now)))

    def _id_changed(self, text: str) -> None:
        if self._quiet_depth:
            return
        number = clean_id_number(text)
        if len(number) not in (9, 12) or not number.isdigit() or number == self._looked_up:
            return
        self._looked_up = number
        ctx = self.ctx
        run_task(lambda _ctl: intake.find_returning_citizen(ctx, number), on_success=self._returning, parent=self)

    def _returning(self, citizen: intake.ReturningCitizen | None) -> None:
        if citizen is None or clean_id_number(self.id_edit.text()) != citizen.id_number:
            return
        values = {"name": citizen.name, "dob": citizen.dob.strftime("%d/%m/%Y") if citizen.dob else "",
                  "phone": citizen.phone, "email": citizen.email, "address": citizen.address}
        filled = []
        for key, value in values.items():
            edit = self.fields[key]
            if value and not edit.text().strip():
                edit.setText(value)
                filled.append(key)
        self.show_notice(_("Công dân đã từng nộp hồ sơ {code} ngày {day}: đã điền sẵn thông tin, hãy hỏi lại "
                           "nếu có thay đổi.").format(code=citizen.last_code,
                                                     day=to_local(citizen.last_received_at).strftime("%d/%m/%Y")))
        if filled:
            self.validate_fields(only_touched=True)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
        order = ["procedure", "time_value", *APPLICANT_FIELDS, "documents", "sets_count", "fees"]
        first = next((k for k in order if k in errors), None)
        target = {"procedure": self.picker, "time_value": self.time_spin, "documents": self.docs,
                  "sets_count": self.sets_spin, "fees": self.fees}.get(first or "") or self.fields.get(first or "")
        if target is not None:
            target.setFocus()

    # -- saving ----------------------------------------------------------------------
    def save_and_print(self) -> None:
        form, problems = self.collect()
        errors = {**intake.check_form(form), **problems}
        if self.procedure is None:
            errors["procedure"] = _("Hãy chọn thủ tục hành chính.")
        elif intake.needs_time_value(self.procedure) and form.time_value is None:
            errors["time_value"] = _("Danh mục chưa có thời hạn giải quyết của thủ tục này: hãy nhập số ngày.")
        self._touched.update(APPLICANT_FIELDS)
        if errors:
            self.show_errors(errors)
            return
        self._autosave.stop()
        ctx = self.ctx
        folder = ctx.db.data_dir / "print"

        def work(_ctl):
            result = intake.receive_and_print(ctx, form, folder)
            return result.dossier, result.pdf, result.problem

        self.save_button.setEnabled(False)
        run_task(work, on_success=self._saved, on_failure=self._save_failed,
                 on_finished=lambda: self.save_button.setEnabled(True), parent=self,
                 progress=_("Đang lưu hồ sơ và tạo giấy tiếp nhận…"), cancellable=False)

    def _saved(self, result) -> None:
        received, path, problem = result
        self.last_saved, self.last_pdf = received, path
        self.reprint_button.setEnabled(True)
        self.clear_form()
        self.show_notice(_("Đã tiếp nhận hồ sơ {code}, số thứ tự {number} trong sổ theo dõi năm {year}. "
                           "Hẹn trả: {due}.").format(code=received.code, number=received.book_number,
                                                     year=received.book_year, due=day_text(to_local(received.due_at))))
        if self.window_ is not None and hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("dossier")
        self.saved.emit(received)
        if path is None:
            QMessageBox.warning(self, "commune_desk", _("Hồ sơ {code} đã được lưu nhưng chưa tạo được giấy tiếp nhận: "
                                                        "{error}. Hãy bấm \u201cIn lại giấy vừa lưu\u201d.")
                                .format(code=received.code, error=problem))
            return
        self.open_preview(path)

    def open_preview(self, path: Path) -> None:
        from commune_desk.ui.pdf_preview import show_pdf

        self.preview = show_pdf(path, self, title=_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), ctx=self.ctx)

    def _save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and exc.errors:
            self.show_errors(dict(exc.errors))
            return
        show_error(self, exc)

    def reprint_last(self) -> None:
        if self.last_saved is None:
            return
        ctx, code = self.ctx, self.last_saved.code
        folder = ctx.db.data_dir / "print"
        run_task(lambda _ctl: documents.print_form(ctx, "receipt", [code], documents.receipt_path(folder, code)),
                 on_success=self.open_preview, parent=self, progress=_("Đang tạo giấy tiếp nhận…"),
                 cancellable=False)

    # -- drafts ----------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        """The raw state of the form (what a draft keeps, even when invalid)."""
        fees = [{"name": self.fees.item(r, 0).text(), "amount": self.fees.item(r, 1).text()}
                for r in range(self.fees.rowCount())]
        return {
            "procedure_code": self.procedure.code if self.procedure else "",
            "procedure_label": self.procedure.name if self.procedure else "",
            **{key: edit.text() for key, edit in self.fields.items()},
            "note": self.note_edit.text(),
            "documents": [{"name": d.name, "form": d.form, "count": d.count, "required": d.required,
                           "received": d.received} for d in self.document_lines()],
            "sets_count": self.sets_spin.value(), "time_value": self.time_spin.value(),
            "channel": self.channel_combo.currentData(),
            "result_delivery": self.delivery_combo.currentData(), "fees": fees,
            "competent_office_code": self.competent_combo.currentData() or "",
        }

    def apply_payload(self, payload: dict[str, Any], draft_id: uuid.UUID | None) -> None:
        with self.quiet():
            choice = next((c for c in self.picker.choices if c.code == payload.get("procedure_code")), None)
            lines = [DocumentLine(d.get("name", ""), d.get("form") or "bản chính", int(d.get("count") or 1),
                                  bool(d.get("required", True)), bool(d.get("received")))
                     for d in payload.get("documents") or []]
            fees = [FeeItem(f.get("name", ""), None) for f in payload.get("fees") or []]
            self.picker.current = choice
            self.picker.setText(choice.label if choice else "")
            self.set_procedure(choice, lines if choice else None, fees if choice else None)
            for row, fee in enumerate(payload.get("fees") or []):
                if row < self.fees.rowCount():
                    self.fees.item(row, 1).setText(fee.get("amount", ""))
            for key, edit in self.fields.items():
                edit.setText(str(payload.get(key) or ""))
            self.note_edit.setText(str(payload.get("note") or ""))
            self.sets_spin.setValue(int(payload.get("sets_count") or 1))
            self.time_spin.setValue(int(payload.get("time_value") or 0))
            self._set_combo(self.channel_combo, payload.get("channel"))
            self._set_combo(self.delivery_combo, payload.get("result_delivery"))
            self._pending_competent = str(payload.get("competent_office_code") or "")  # communes may load later
            self._set_combo(self.competent_combo, self._pending_competent)
        self.draft_id = draft_id
        self._looked_up = clean_id_number(self.id_edit.text())
        self._update_fee_total()
        self.update_appointment()

    @staticmethod
    def _set_combo(combo: QComboBox, key: Any) -> None:
        index = combo.findData(key)
        combo.setCurrentIndex(max(index, 0))

    def autosave_now(self) -> None:
        if self.draft_id is None or not self.has_content():
            return
        ctx, payload, draft_id = self.ctx, self.payload(), self.draft_id
        run_task(lambda _ctl: intake.save_draft(ctx, payload, draft_id), on_success=lambda _id: self.refresh_drafts(),
                 on_failure=lambda exc: self.show_notice(_("Không lưu được bản nháp: {error}").format(error=exc)),
                 parent=self)

    def save_draft_and_clear(self) -> None:
        if not self.has_content():
            return
        self._autosave.stop()
        if self.draft_id is None:
            self.draft_id = uuid7()
        ctx, payload, draft_id = self.ctx, self.payload(), self.draft_id

        def done(_id) -> None:
            self.clear_form()
            self.show_notice(_("Đã lưu nháp. Mở lại từ nút \u201cNháp\u201d."))
            self.refresh_drafts()

        run_task(lambda _ctl: intake.save_draft(ctx, payload, draft_id), on_success=done, parent=self)

    def open_draft(self, draft: intake.DraftInfo) -> None:
        if self.has_content() and self.draft_id != draft.id:
            self.autosave_now()
        self.clear_form()
        self.apply_payload(draft.payload, draft.id)
        self.show_notice(_("Đã mở bản nháp lưu lúc {time}.").format(
            time=to_local(draft.updated_at).strftime("%H:%M %d/%m/%Y")))

    def ask_clear(self) -> None:
        if self.has_content():
            answer = QMessageBox.question(self, "commune_desk", _("Xóa nội dung đang nhập (kể cả bản nháp tự lưu)?"))
            if answer != QMessageBox.StandardButton.Yes:
                return
        draft_id = self.draft_id
        self.clear_form()
        if draft_id is not None:
            ctx = self.ctx
            run_task(lambda _ctl: intake.delete_draft(ctx, draft_id), on_success=lambda _r: self.refresh_drafts(),
                     parent=self)

    def clear_form(self) -> None:
        self._autosave.stop()
        with self.quiet():
            for edit in (*self.fields.values(), self.note_edit):
                edit.clear()
            self.picker.choose(None)
            self.sets_spin.setValue(1)
            self.channel_combo.setCurrentIndex(0)
            self.delivery_combo.setCurrentIndex(0)
            self.competent_combo.setCurrentIndex(0)
            for label in self.errors.values():
                label.clear()
        self.show_notice("")
        self.draft_id = None
        self._touched.clear()
        self._looked_up = None
        self.focus_picker()
