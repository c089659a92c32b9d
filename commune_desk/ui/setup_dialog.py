"""First-run setup window: the office's role and identity, and its first administrator.

The commune is picked from the 3,321 post-2025 units (search ignores diacritics) or typed as
a 5-digit code; a hub gives its province's 2-digit code (or a district's 3-digit code).
``services.office.setup_office`` runs off the UI thread; the dialog is accepted when it
succeeds. Problems are shown next to the fields they concern.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain import units
from commune_desk.domain.text import fold, normalize
from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.services import office as office_service
from commune_desk.services.context import Database, OfficeInfo
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.tasks import run_task

FOLDED_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2


def upper_level_name(province_name: str) -> str:
    """"Tuyên Quang" -> "UBND tỉnh Tuyên Quang"; "Thành phố Hà Nội" -> "UBND Thành phố Hà Nội"."""
    if province_name.lower().startswith(("thành phố", "tỉnh")):
        return f"UBND {province_name}"
    return f"UBND tỉnh {province_name}"


def commune_model(parent=None) -> QStandardItemModel:
    """Every commune as "Xã Minh Tân — Tuyên Quang (00919)", with a folded copy to match on."""
    model = QStandardItemModel(parent)
    for unit in units.communes():
        label = f"{unit.name} — {unit.province_name} ({unit.code})"
        item = QStandardItem(label)
        item.setData(f"{fold(label)} {unit.code}", FOLDED_ROLE)
        item.setData(unit.code, CODE_ROLE)
        item.setEditable(False)
        model.appendRow(item)
    return model


class _FoldedFilter(QSortFilterProxyModel):
    """Keeps the rows whose folded label contains every folded word typed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[str] = []

    def set_text(self, text: str) -> None:
        self.words = fold(text).split()
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt override
        if not self.words:
            return True
        folded = self.sourceModel().index(row, 0, parent).data(FOLDED_ROLE) or ""
        return all(w in folded for w in self.words)


class SetupDialog(QDialog):
    """Accepted once the office exists; ``office`` then holds what was set up."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.office: OfficeInfo | None = None
        self.errors = FieldErrors()
        self._busy = False
        self.setWindowTitle(_("Thiết lập commune_desk lần đầu"))
        self.setMinimumWidth(940)

        intro = QLabel(_("Chào mừng! Hãy cho biết đơn vị dùng phần mềm này và tạo tài khoản quản trị đầu tiên. "
                         "Các thông tin đơn vị có thể sửa sau trong phần Cài đặt."))
        intro.setWordWrap(True)

        # -- the office -----------------------------------------------------------------
        self.role_commune = QRadioButton(_("Trung tâm Phục vụ hành chính công cấp xã"))
        self.role_hub = QRadioButton(_("Cấp trên (tỉnh, hoặc huyện nơi còn cấp huyện)"))
        self.role_commune.setChecked(True)
        roles = QButtonGroup(self)
        roles.addButton(self.role_commune)
        roles.addButton(self.role_hub)
        role_box = QWidget()
        role_layout = QHBoxLayout(role_box)
        role_layout.setContentsMargins(0, 0, 0, 0)
        role_layout.addWidget(QLabel(_("Vai trò:")))
        role_layout.addWidget(self.role_commune)
        role_layout.addWidget(self.role_hub)
        role_layout.addStretch(1)

        self.commune_search = QLineEdit()
        self.commune_search.setPlaceholderText(_("Gõ tên xã, phường (không dấu cũng được)"))
        self._communes = commune_model(self)
        self._filter = _FoldedFilter(self)
        self._filter.setSourceModel(self._communes)
        self.completer = QCompleter(self)
        self.completer.setModel(self._filter)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.setWidget(self.commune_search)
        self.completer.activated[QModelIndex].connect(self._commune_chosen)
        self.commune_search.textEdited.connect(self._search_edited)

        self.province = QComboBox()
        self.province.addItem(_("— chọn tỉnh, thành phố —"), "")
        for p in units.provinces():
            self.province.addItem(f"{p.name} ({p.code})", p.code)
        self.province.currentIndexChanged.connect(self._province_chosen)

        self.office_code = QLineEdit()
        self.office_code.setMaxLength(5)
        self.office_code.textEdited.connect(self._code_edited)
        self.office_name = QLineEdit()
        self.place_label = QLabel()
        self.place_label.setStyleSheet("color: #555;")
        self.unit_id = QLineEdit()
        self.unit_id.setPlaceholderText(_("ví dụ 000.00.19.H56 (để trống: dùng mã đơn vị)"))
        self.reception_point = QSpinBox()
        self.reception_point.setRange(0, 9)
        self.reception_point.setToolTip(_("Mỗi điểm tiếp nhận của đơn vị dùng một số khác nhau (0–9) "
                                          "để mã hồ sơ không trùng"))
        self.hub_name = QLineEdit()
        self.hub_name.setPlaceholderText(_("ví dụ UBND tỉnh Tuyên Quang"))

        office_box = QGroupBox(_("Đơn vị"))
        office_form = QFormLayout(office_box)
        self.search_label = QLabel(_("Tìm xã, phường:"))
        office_form.addRow(self.search_label, self.commune_search)
        self.province_label = QLabel(_("Tỉnh, thành phố:"))
        office_form.addRow(self.province_label, self.province)
        self.code_label = QLabel()
        self.errors.add_row(office_form, self.code_label, self.office_code, "office_code")
        office_form.addRow("", self.place_label)
        self.errors.add_row(office_form, _("Tên đơn vị:"), self.office_name, "office_name")
        self.errors.add_row(office_form, _("Mã định danh đơn vị (đầu mã hồ sơ):"), self.unit_id, "unit_id")
        self.errors.add_row(office_form, _("Số hiệu điểm tiếp nhận:"), self.reception_point, "reception_point")
        self.hub_row_label = QLabel(_("Cơ quan cấp trên:"))
        office_form.addRow(self.hub_row_label, self.hub_name)
        self.errors.label_for("role")

        # -- the first administrator ------------------------------------------------------
        self.admin_username = QLineEdit("admin")
        self.admin_full_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        admin_box = QGroupBox(_("Tài khoản quản trị đầu tiên"))
        admin_form = QFormLayout(admin_box)
        self.errors.add_row(admin_form, _("Tên đăng nhập:"), self.admin_username, "username")
        self.errors.add_row(admin_form, _("Họ và tên:"), self.admin_full_name, "full_name")
        self.errors.add_row(admin_form, _("Mật khẩu:"), self.password, "password")
        self.errors.add_row(admin_form, _("Nhập lại mật khẩu:"), self.password2, "password2")
        hint = QLabel(_("Mật khẩu ít nhất 8 ký tự. Nhập sai 5 lần liên tiếp thì tài khoản bị khóa một lúc."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        admin_form.addRow(hint)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(_("Thiết lập"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(_("Thoát"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        columns.addWidget(office_box, 3, Qt.AlignmentFlag.AlignTop)
        columns.addWidget(admin_box, 2, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(role_box)
        layout.addLayout(columns)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.role_commune.toggled.connect(self._role_changed)
        self._role_changed()

    # -- role and place ---------------------------------------------------------------------
    @property
    def role(self) -> str:
        return "commune" if self.role_commune.isChecked() else "hub"

    def _role_changed(self) -> None:
        commune = self.role == "commune"
        for widget in (self.search_label, self.commune_search):
            widget.setVisible(commune)
        for widget in (self.province_label, self.province):
            widget.setVisible(not commune)
        for widget in (self.hub_row_label, self.hub_name):
            widget.setVisible(commune)
        self.code_label.setText(_("Mã xã (5 chữ số):") if commune else _("Mã tỉnh, huyện:"))
        self.office_code.setPlaceholderText("00919" if commune else _("08 (mã tỉnh) hoặc 3 chữ số (mã huyện)"))
        self.office_code.setMaxLength(5 if commune else 3)
        for edit in (self.office_code, self.office_name, self.commune_search):
            edit.clear()
        self.province.setCurrentIndex(0)
        self.errors.clear()
        self.message.hide()
        self._code_edited(self.office_code.text())

    def _search_edited(self, text: str) -> None:
        self._filter.set_text(text)
        if text.strip():
            self.completer.complete()
        else:
            self.completer.popup().hide()

    def _commune_chosen(self, index) -> None:
        code = index.data(CODE_ROLE) if hasattr(index, "data") else None
        if code:
            self.choose_commune(code)

    def choose_commune(self, code: str) -> None:
        """Fill the code, the name and the upper level from the unit list."""
        unit = units.find_commune(code)
        if unit is None:
            return
        self.commune_search.setText(f"{unit.name} — {unit.province_name}")
        self.office_code.setText(unit.code)
        self.office_name.setText(unit.name)
        if not self.hub_name.text().strip():
            self.hub_name.setText(upper_level_name(unit.province_name))
        self._code_edited(unit.code)

    def _province_chosen(self, index: int) -> None:
        code = self.province.itemData(index)
        province = units.find_province(code) if code else None
        if province is None:
            return
        self.office_code.setText(code)
        self.office_name.setText(upper_level_name(province.name))
        self._code_edited(code)

    def _code_edited(self, text: str) -> None:
        code = text.strip()
        place = ""
        if self.role == "commune" and len(code) == 5:
            unit = units.find_commune(code)
            if unit is not None:
                place = _("{name}, {province}").format(name=unit.name, province=unit.province_name)
                if not self.office_name.text().strip():
                    self.office_name.setText(unit.name)
                if not self.hub_name.text().strip():
                    self.hub_name.setText(upper_level_name(unit.province_name))
            else:
                place = _("Mã {code} không có trong danh mục đơn vị hành chính 2025 (vẫn dùng được nếu đúng).") \
                    .format(code=code)
        elif self.role == "hub" and len(code) == 2:
            province = units.find_province(code)
            place = province.name if province else ""
        self.place_label.setText(place)

    # -- submitting ---------------------------------------------------------------------------
    def request(self) -> office_service.SetupRequest:
        commune = self.role == "commune"
        return office_service.SetupRequest(
            role=self.role, office_code=self.office_code.text().strip(), office_name=normalize(self.office_name.text()),
            hub_name=(normalize(self.hub_name.text()) or None) if commune else None,
            unit_id=self.unit_id.text().strip() or None, reception_point=self.reception_point.value(),
            admin_username=self.admin_username.text().strip(), admin_full_name=normalize(self.admin_full_name.text()),
            admin_password=self.password.text())

    def check(self) -> list[tuple[str, str]]:
        """Every problem the form has, without touching the database."""
        req = self.request()
        problems = office_service.validate(req)
        if not req.admin_username:
            problems.append(("username", _("Hãy nhập tên đăng nhập cho quản trị viên.")))
        if not req.admin_full_name:
            problems.append(("full_name", _("Hãy nhập họ và tên.")))
        if self.password.text() != self.password2.text():
            problems.append(("password2", _("Hai lần nhập mật khẩu không giống nhau.")))
        return problems

    def submit(self) -> None:
        if self._busy:
            return
        self.message.hide()
        problems = self.check()
        unplaced = self.errors.show(problems)
        if problems:
            self._show_message(" ".join(m for _f, m in unplaced) or _("Hãy sửa các ô được đánh dấu."))
            self._focus_first(problems)
            return
        req = self.request()
        self._set_busy(True)
        run_task(lambda _ctl: office_service.setup_office(self.db, req), on_success=self._done,
                 on_failure=self._failed, parent=self, progress=_("Đang thiết lập đơn vị…"), cancellable=False)

    def _done(self, office: OfficeInfo) -> None:
        self._set_busy(False)
        self.office = office
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            unplaced = self.errors.show_exception(exc)
            self._show_message(" ".join(m for _f, m in unplaced) or _("Hãy sửa các ô được đánh dấu."))
            self._focus_first(exc.errors)
            return
        from commune_desk.errors import KnownError

        if isinstance(exc, KnownError):
            self._show_message(str(exc))
            return
        from commune_desk.ui.tasks import show_error

        show_error(self, exc)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _focus_first(self, problems: list[tuple[str, str]]) -> None:
        widgets = {"office_code": self.office_code, "office_name": self.office_name, "unit_id": self.unit_id,
                   "reception_point": self.reception_point, "username": self.admin_username,
                   "full_name": self.admin_full_name, "password": self.password, "password2": self.password2}
        for field, _m in problems:
            if field in widgets:
                widgets[field].setFocus()
                return

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
