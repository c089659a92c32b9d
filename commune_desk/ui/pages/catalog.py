"""The catalog area: browse and search the procedures (folded name or code), edit one with
its documents and fees, import or export the whole catalog.

Everyone who signs in may read the catalog; editing needs Perm.CATALOG_EDIT (the editor is
read-only otherwise, and the service checks again).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.catalog import DOC_FORMS, PROVINCE_SET, ProcedureSpec
from commune_desk.domain.roles import Perm, allowed
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import catalog
from commune_desk.services.catalog import ProcedureInfo
from commune_desk.services.context import Ctx
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.tasks import run_task, show_error

TIME_KIND_LABELS = {
    "working_days": N_("Số ngày làm việc"),
    "same_day": N_("Trong ngày"),
    "calendar_days": N_("Số ngày (tính cả ngày nghỉ)"),
}
FILE_FILTER = N_("Bảng tính (*.csv *.xlsx)")


def time_text(p: ProcedureSpec) -> str:
    """"3 ngày làm việc", "Trong ngày (15 giờ)", "15 ngày", or "chưa đặt"."""
    if p.time_kind == "same_day":
        return _("Trong ngày (15 giờ)") if p.cutoff_next_day else _("Trong ngày")
    if p.time_value is None:
        return _("chưa đặt")
    if p.time_kind == "calendar_days":
        return _("{n} ngày").format(n=p.time_value)
    return _("{n} ngày làm việc").format(n=p.time_value)


def _parse_amount(text: str) -> int | None | str:
    """Money typed in a fee row: None for "set by the province", an int, or the text when wrong."""
    cleaned = text.strip().removesuffix("đồng").removesuffix("đ").strip()
    if not cleaned or cleaned.lower() in (PROVINCE_SET.lower(), "hđnd tỉnh quy định"):
        return None
    if re.fullmatch(r"\d+|\d{1,3}(?:[.,]\d{3})+", cleaned):
        return int(re.sub(r"[.,]", "", cleaned))
    return text


class _FittedTable(QTableWidget):
    """A table as tall as its rows (it sits in the editor's scroll area: no second scroll bar)."""

    MIN_ROWS_HEIGHT = 60

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.horizontalHeader().sectionResized.connect(lambda *_a: self.fit())
        self.model().rowsInserted.connect(lambda *_a: self.fit())
        self.model().rowsRemoved.connect(lambda *_a: self.fit())

    def fit(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + max(rows, self.MIN_ROWS_HEIGHT)
                            + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.fit()


class DocumentsTable(_FittedTable):
    """Required documents: name, form, count, required, note."""

    HEADERS = (N_("Tên giấy tờ"), N_("Hình thức"), N_("Số lượng"), N_("Bắt buộc"), N_("Ghi chú"))

    def __init__(self) -> None:
        super().__init__(0, len(self.HEADERS))
        self.setHorizontalHeaderLabels([_(h) for h in self.HEADERS])
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(4, 130)

    def set_documents(self, documents: list[dict]) -> None:
        self.setRowCount(0)
        for doc in documents:
            self.add_document(doc)
        self.fit()

    def add_document(self, doc: dict | None = None) -> None:
        doc = doc or {"name": "", "form": DOC_FORMS[0], "count": 1, "required": True, "note": None}
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, 0, QTableWidgetItem(doc.get("name") or ""))
        form = QComboBox()
        form.addItems(list(DOC_FORMS))
        form.setCurrentText(doc.get("form") or DOC_FORMS[0])
        self.setCellWidget(row, 1, form)
        count = QSpinBox()
        count.setRange(1, 99)
        count.setValue(int(doc.get("count") or 1))
        self.setCellWidget(row, 2, count)
        required = QTableWidgetItem()
        required.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        required.setCheckState(Qt.CheckState.Checked if doc.get("required", True) else Qt.CheckState.Unchecked)
        self.setItem(row, 3, required)
        self.setItem(row, 4, QTableWidgetItem(doc.get("note") or ""))

    def documents(self) -> list[dict]:
        out = []
        for row in range(self.rowCount()):
            name = (self.item(row, 0).text() if self.item(row, 0) else "").strip()
            note = (self.item(row, 4).text() if self.item(row, 4) else "").strip()
            out.append({"name": name, "form": self.cellWidget(row, 1).currentText(),
                        "count": self.cellWidget(row, 2).value(),
                        "required": self.item(row, 3).checkState() == Qt.CheckState.Checked,
                        "note": note or None})
        return out


class FeesTable(_FittedTable):
    """Fees: name, amount in đồng (empty = set by the province's council), note."""

    HEADERS = (N_("Khoản phí, lệ phí"), N_("Số tiền (đồng)"), N_("Ghi chú"))

    def __init__(self) -> None:
        super().__init__(0, len(self.HEADERS))
        self.setHorizontalHeaderLabels([_(h) for h in self.HEADERS])
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(2, 200)
        self.setToolTip(_("Để trống số tiền (hoặc ghi \"HĐND tỉnh\") khi mức thu do HĐND tỉnh quyết định"))

    def set_fees(self, fees: list[dict]) -> None:
        self.setRowCount(0)
        for fee in fees:
            self.add_fee(fee)
        self.fit()

    def add_fee(self, fee: dict | None = None) -> None:
        fee = fee or {"name": "", "amount_vnd": None, "note": None}
        row = self.rowCount()
        self.insertRow(row)
        amount = fee.get("amount_vnd")
        self.setItem(row, 0, QTableWidgetItem(fee.get("name") or ""))
        self.setItem(row, 1, QTableWidgetItem(PROVINCE_SET if amount is None else str(amount)))
        self.setItem(row, 2, QTableWidgetItem(fee.get("note") or ""))

    def fees(self) -> list[dict]:
        out = []
        for row in range(self.rowCount()):
            cells = [(self.item(row, c).text() if self.item(row, c) else "").strip() for c in range(3)]
            out.append({"name": cells[0], "amount_vnd": _parse_amount(cells[1]), "note": cells[2] or None})
        return out


class ProcedureEditor(QWidget):
    """The right-hand side: one procedure's fields."""

    def __init__(self, editable: bool) -> None:
        super().__init__()
        self.editable = editable
        self.errors = FieldErrors()
        self.code = QLineEdit()
        self.code.setPlaceholderText("1.001193")
        self.name = QPlainTextEdit()
        self.name.setFixedHeight(54)
        self.field = QComboBox()
        self.field.setEditable(True)
        self.level = QLineEdit()
        self.time_kind = QComboBox()
        for key, label in TIME_KIND_LABELS.items():
            self.time_kind.addItem(_(label), key)
        self.time_value = QSpinBox()
        self.time_value.setRange(0, 365)
        self.time_value.setSpecialValueText(_("chưa đặt"))
        self.time_kind.currentIndexChanged.connect(self._kind_changed)
        time_row = QWidget()
        time_layout = QHBoxLayout(time_row)
        time_layout.setContentsMargins(0, 0, 0, 0)
        time_layout.addWidget(self.time_kind, 2)
        time_layout.addWidget(self.time_value, 1)
        self.cutoff = QCheckBox(_("Nhận sau 15 giờ thì hẹn ngày làm việc sau"))
        self.cutoff.setToolTip(_("Thủ tục trong ngày: hồ sơ nhận sau giờ quy định (Cài đặt › Đơn vị, mặc định "
                                 "15 giờ) được hẹn trả vào ngày làm việc tiếp theo"))
        self.on_spot = QCheckBox(_("Có thể trả kết quả ngay tại chỗ"))
        self.active = QCheckBox(_("Đang tiếp nhận"))
        self.documents = DocumentsTable()
        self.fees = FeesTable()
        self.result = QLineEdit()
        self.legal_basis = QPlainTextEdit()
        self.legal_basis.setFixedHeight(54)
        self.online = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(54)

        main = QFormLayout()
        main.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(main, _("Mã thủ tục:"), self.code, "code")
        self.errors.add_row(main, _("Tên thủ tục:"), self.name, "name")
        self.errors.add_row(main, _("Lĩnh vực:"), self.field, "field")
        main.addRow(_("Cấp thực hiện:"), self.level)
        self.errors.add_row(main, _("Thời hạn giải quyết:"), time_row, "time_value")
        self.errors.label_for("time_kind")
        main.addRow("", self.cutoff)
        main.addRow("", self.on_spot)
        main.addRow("", self.active)

        docs_box, self.add_doc, self.remove_doc = self._table_box(
            _("Thành phần hồ sơ"), self.documents, "documents", _("Thêm giấy tờ"), _("Bỏ giấy tờ đang chọn"),
            lambda: self.documents.add_document())
        fees_box, self.add_fee, self.remove_fee = self._table_box(
            _("Phí, lệ phí"), self.fees, "fees", _("Thêm khoản thu"), _("Bỏ khoản đang chọn"),
            lambda: self.fees.add_fee())

        more = QFormLayout()
        more.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        more.addRow(_("Kết quả giải quyết:"), self.result)
        more.addRow(_("Căn cứ pháp lý:"), self.legal_basis)
        more.addRow(_("Dịch vụ công trực tuyến:"), self.online)
        more.addRow(_("Ghi chú:"), self.note)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(main)
        layout.addWidget(docs_box)
        layout.addWidget(fees_box)
        layout.addLayout(more)
        self._set_editable(editable)

    def _table_box(self, heading: str, table: QTableWidget, error_key: str, add_text: str, remove_text: str,
                   add) -> tuple[QGroupBox, QPushButton, QPushButton]:
        """A titled editable table with its error line and Add / Remove-selected buttons."""
        box = QGroupBox(heading)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(table)
        box_layout.addWidget(self.errors.label_for(error_key))
        add_button, remove_button = QPushButton(add_text), QPushButton(remove_text)
        add_button.clicked.connect(add)
        remove_button.clicked.connect(lambda: self._remove_current(table))
        buttons = QHBoxLayout()
        buttons.addWidget(add_button)
        buttons.addWidget(remove_button)
        buttons.addStretch(1)
        box_layout.addLayout(buttons)
        return box, add_button, remove_button

    def _remove_current(self, table: QTableWidget) -> None:
        row = table.currentRow()
        if row >= 0:
            table.removeRow(row)

    def _kind_changed(self) -> None:
        same_day = self.time_kind.currentData() == "same_day"
        self.time_value.setEnabled(self.editable and not same_day)
        self.cutoff.setEnabled(self.editable and same_day)

    def _set_editable(self, editable: bool) -> None:
        for w in (self.code, self.level, self.result, self.online):
            w.setReadOnly(not editable)
        for w in (self.name, self.legal_basis, self.note):
            w.setReadOnly(not editable)
        for w in (self.field, self.time_kind, self.time_value, self.cutoff, self.on_spot, self.active,
                  self.add_doc, self.remove_doc, self.add_fee, self.remove_fee):
            w.setEnabled(editable)
        triggers = QAbstractItemView.EditTrigger.AllEditTriggers if editable else \
            QAbstractItemView.EditTrigger.NoEditTriggers
        self.documents.setEditTriggers(triggers)
        self.fees.setEditTriggers(triggers)
        self._kind_changed()

    def set_fields(self, fields: list[str]) -> None:
        current = self.field.currentText()
        self.field.clear()
        self.field.addItems(fields)
        self.field.setCurrentText(current)

    def show_procedure(self, p: ProcedureSpec) -> None:
        self.errors.clear()
        self.code.setText(p.code)
        self.name.setPlainText(p.name)
        self.field.setCurrentText(p.field)
        self.level.setText(p.level or "")
        self.time_kind.setCurrentIndex(max(0, self.time_kind.findData(p.time_kind)))
        self.time_value.setValue(p.time_value or 0)
        self.cutoff.setChecked(p.cutoff_next_day)
        self.on_spot.setChecked(p.returns_on_spot)
        self.active.setChecked(p.active)
        self.documents.set_documents(p.documents)
        self.fees.set_fees(p.fees)
        self.result.setText(p.result or "")
        self.legal_basis.setPlainText(p.legal_basis or "")
        self.online.setText(p.online or "")
        self.note.setPlainText(p.note or "")
        for w in self.documents.findChildren(QWidget):
            if isinstance(w, QComboBox | QSpinBox):
                w.setEnabled(self.editable)
        self._kind_changed()

    def spec(self) -> ProcedureSpec:
        """What the form says, as a spec (the service checks it)."""
        kind = self.time_kind.currentData()
        value = self.time_value.value() or None
        fees = self.fees.fees()
        bad = [f for f in fees if isinstance(f["amount_vnd"], str)]
        if bad:
            raise ValidationError(_("Số tiền '{amount}' không hợp lệ (số đồng, hoặc để trống nếu do HĐND tỉnh "
                                    "quy định).").format(amount=bad[0]["amount_vnd"]), field="fees")
        return ProcedureSpec(
            code=self.code.text().strip(), name=self.name.toPlainText().strip(), field=self.field.currentText().strip(),
            level=self.level.text().strip() or "Cấp xã", time_kind=kind,
            time_value=None if kind == "same_day" else value,
            cutoff_next_day=self.cutoff.isChecked() and kind == "same_day",
            returns_on_spot=self.on_spot.isChecked(), fees=fees, documents=self.documents.documents(),
            result=self.result.text().strip() or None, legal_basis=self.legal_basis.toPlainText().strip() or None,
            online=self.online.text().strip() or None, note=self.note.toPlainText().strip() or None,
            active=self.active.isChecked())


class CatalogPage(QWidget):
    COLUMNS = (N_("Mã"), N_("Tên thủ tục"), N_("Lĩnh vực"), N_("Thời hạn"))

    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.editable = allowed(ctx.actor.role, Perm.CATALOG_EDIT)
        self.rows: list[ProcedureInfo] = []
        self.current: ProcedureInfo | None = None
        self._select_code: str | None = None
        self._composing = False   # a new procedure is being typed: refreshes leave the form alone

        self.search = QLineEdit()
        self.search.setObjectName("catalog_search")
        self.search.setPlaceholderText(_("Tìm theo tên thủ tục (không dấu cũng được) hoặc mã, ví dụ: khai sinh, 1.001193"))
        self.search.setClearButtonEnabled(True)
        self.field_filter = QComboBox()
        self.field_filter.addItem(_("Tất cả lĩnh vực"), None)
        self.show_inactive = QCheckBox(_("Cả thủ tục ngừng tiếp nhận"))
        self.show_inactive.setChecked(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.field_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_inactive.toggled.connect(lambda _c: self.refresh())

        self.new_button = QPushButton(_("Thêm thủ tục"))
        self.import_button = QPushButton(_("Nhập tệp…"))
        self.export_button = QPushButton(_("Xuất tệp…"))
        self.new_button.clicked.connect(self.new_procedure)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        for b in (self.new_button, self.import_button):
            b.setVisible(self.editable)

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.field_filter, 1)
        top.addWidget(self.show_inactive)
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("catalog_table")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 115)
        self.table.setColumnWidth(3, 160)
        self.table.itemSelectionChanged.connect(self._row_chosen)
        self.count_label = QLabel()

        self.editor = ProcedureEditor(self.editable)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.save_button = QPushButton(_("Lưu thủ tục"))
        self.revert_button = QPushButton(_("Hoàn tác"))
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._revert)
        for b in (self.save_button, self.revert_button):
            b.setVisible(self.editable)
        self.message = QLabel()
        self.message.setObjectName("catalog_message")
        self.message.setWordWrap(True)
        editor_buttons = QHBoxLayout()
        editor_buttons.addWidget(self.message, 1)
        editor_buttons.addWidget(self.revert_button)
        editor_buttons.addWidget(self.save_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroll, 1)
        right_layout.addLayout(editor_buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 560])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        if not self.editable:
            note = QLabel(_("Chỉ xem: tài khoản này không có quyền sửa danh mục thủ tục."))
            note.setStyleSheet("color: #555;")
            layout.addWidget(note)
        if hasattr(window, "data_changed"):
            window.data_changed.connect(self._data_changed)
        self._load_fields()
        self.refresh()

    # -- list ------------------------------------------------------------------------------
    def _data_changed(self, kind: str) -> None:
        if kind == "procedure" and self.sender() is not None:
            self.refresh()

    def _load_fields(self) -> None:
        def fill(fields: list[str]) -> None:
            used = sorted({p.field for p in self.rows}) if self.rows else []
            current = self.field_filter.currentData()
            self.field_filter.blockSignals(True)
            self.field_filter.clear()
            self.field_filter.addItem(_("Tất cả lĩnh vực"), None)
            for f in used or fields:
                self.field_filter.addItem(f, f)
            index = self.field_filter.findData(current)
            self.field_filter.setCurrentIndex(max(0, index))
            self.field_filter.blockSignals(False)
            self.editor.set_fields(fields)

        run_task(lambda _ctl: catalog.known_fields(self.ctx), on_success=fill, parent=self)

    def refresh(self) -> None:
        text = self.search.text()
        field = self.field_filter.currentData()
        inactive = self.show_inactive.isChecked()
        run_task(lambda _ctl: (text, catalog.list_procedures(self.ctx, text, field=field, include_inactive=inactive)),
                 on_success=self._fill, parent=self)

    def _fill(self, answer: tuple[str, list[ProcedureInfo]]) -> None:
        text, rows = answer
        if text != self.search.text():
            return  # the user typed on: a newer query is on its way
        keep = self._select_code or (self.current.code if self.current else None)
        self._select_code = None
        first_fill = not self.rows and self.field_filter.count() <= 1
        self.rows = rows
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(rows))
        target = 0 if rows and not self._composing else -1
        for r, p in enumerate(rows):
            cells = (p.code, p.name, p.field, time_text(p))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if not p.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
            if p.code == keep:
                target = r
        if target >= 0:
            self.table.selectRow(target)
        self.table.blockSignals(False)
        self.count_label.setText(_("{n} thủ tục").format(n=len(rows)))
        if target >= 0:
            # A refresh re-selects the row: keep the message of what just happened (an import).
            self._row_chosen(keep_message=True)
        if first_fill:
            self._load_fields()

    def _row_chosen(self, keep_message: bool = False) -> None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or selected[0].row() >= len(self.rows):
            return
        self._composing = False
        self.current = self.rows[selected[0].row()]
        self.editor.show_procedure(self.current)
        if not keep_message:
            self.message.clear()

    def select_code(self, code: str) -> None:
        for r, p in enumerate(self.rows):
            if p.code == code:
                self.table.selectRow(r)
                return

    # -- editing -----------------------------------------------------------------------------
    def new_procedure(self) -> None:
        self.table.clearSelection()
        self.current = None
        self._composing = True
        self.editor.show_procedure(ProcedureSpec(code="", name="", field=self.field_filter.currentData() or "",
                                                 time_kind="working_days"))
        self.message.setText(_("Thủ tục mới: điền các ô rồi bấm Lưu thủ tục."))
        self.editor.code.setFocus()

    def _revert(self) -> None:
        if self.current is not None:
            self.editor.show_procedure(self.current)
        else:
            self.new_procedure()
        self.message.clear()

    def save(self) -> None:
        try:
            spec = self.editor.spec()
        except ValidationError as exc:
            self._failed(exc)
            return
        procedure_id = self.current.id if self.current else None
        self.save_button.setEnabled(False)
        run_task(lambda _ctl: catalog.save_procedure(self.ctx, spec, procedure_id),
                 on_success=self._saved, on_failure=self._failed, parent=self)

    def _saved(self, info: ProcedureInfo) -> None:
        self.save_button.setEnabled(True)
        self.current = info
        self._select_code = info.code
        self.editor.show_procedure(info)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(_("Đã lưu thủ tục {code}.").format(code=info.code))
        self.refresh()
        if hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("procedure")

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            unplaced = self.editor.errors.show_exception(exc)
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(" ".join(m for _f, m in unplaced) or _("Chưa lưu: hãy sửa các ô được đánh dấu."))
        elif isinstance(exc, KnownError):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(str(exc))
        else:
            show_error(self, exc)

    # -- files -------------------------------------------------------------------------------
    def _ask_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Nhập danh mục thủ tục"), "", _(FILE_FILTER))
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        def done(summary) -> None:
            self.message.setStyleSheet("color: #1b5e20;")
            self.message.setText(_("Đã nhập {file}: {created} thủ tục mới, {updated} cập nhật, {unchanged} không "
                                   "đổi.").format(file=path.name, created=summary.created, updated=summary.updated,
                                                  unchanged=summary.unchanged))
            self._load_fields()
            self.refresh()
            if hasattr(self.window_, "data_changed"):
                self.window_.data_changed.emit("procedure")

        run_task(lambda _ctl: catalog.import_file(self.ctx, path), on_success=done, on_failure=self._file_failed,
                 parent=self, progress=_("Đang nhập danh mục…"))

    def _file_failed(self, exc: BaseException) -> None:
        """A refused file: the message names every bad row (nothing was imported)."""
        if isinstance(exc, KnownError):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(str(exc))
        else:
            show_error(self, exc)

    def _ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Xuất danh mục thủ tục"), "danh-muc-thu-tuc.xlsx",
                                                    _(FILE_FILTER))
        if path:
            self.export_path(Path(path))

    def export_path(self, path: Path) -> None:
        def done(n: int) -> None:
            self.message.setStyleSheet("")
            self.message.setText(_("Đã xuất {n} thủ tục ra {file}.").format(n=n, file=path))

        run_task(lambda _ctl: catalog.export_file(self.ctx, path), on_success=done, on_failure=self._file_failed,
                 parent=self)


def create_page(ctx: Ctx, window) -> QWidget:
    return CatalogPage(ctx, window)
