"""Settings › Đơn vị: the office's identity and its settings (commune_desk/settings.py).

Each setting gets an editor chosen from its default value: a tick box for yes/no, a number
box, a time box for HH:MM hours, a list for fixed choices, a line for text.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from commune_desk import settings as settings_registry
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import office as office_service
from commune_desk.services.context import Ctx
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.tasks import run_task, show_error

# (key prefixes, group title); settings of other tabs (backup) are left to them
GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("calendar.",), N_("Giờ làm việc và giờ hẹn")),
    (("print.",), N_("In phiếu và văn bản")),
    (("rules.", "lifecycle."), N_("Quy định giải quyết hồ sơ")),
    (("accounts.", "privacy."), N_("Tài khoản và dữ liệu cá nhân")),
    (("training.", "sync.", "reports."), N_("Bồi dưỡng, đồng bộ, báo cáo")),
)
SKIPPED_PREFIXES = ("backup.",)
_HHMM = re.compile(r"^\d{1,2}:\d{2}$")


def editable_keys() -> list[str]:
    return [k for k, d in settings_registry.SETTINGS.items()
            if not k.startswith(SKIPPED_PREFIXES) and not isinstance(d.default, dict | list)]


def _group_of(key: str) -> int:
    for index, (prefixes, _title) in enumerate(GROUPS):
        if key.startswith(prefixes):
            return index
    return len(GROUPS)


class SettingEditor:
    """One setting's editor widget, and how to read and fill it."""

    def __init__(self, key: str) -> None:
        self.key = key
        default = settings_registry.SETTINGS[key].default
        if isinstance(default, bool):
            self.widget: QWidget = QCheckBox()
        elif isinstance(default, int):
            spin = QSpinBox()
            spin.setRange(office_service.MINIMUM.get(key, 0), 1_000_000_000)
            self.widget = spin
        elif key in office_service.CHOICES:
            combo = QComboBox()
            combo.addItems(list(office_service.CHOICES[key]))
            self.widget = combo
        elif isinstance(default, str) and _HHMM.match(default):
            edit = QTimeEdit()
            edit.setDisplayFormat("HH:mm")
            self.widget = edit
        else:
            self.widget = QLineEdit()
        self.widget.setObjectName(f"setting_{key}")

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value or 0))
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QTimeEdit):
            w.setTime(QTime.fromString(str(value).zfill(5), "HH:mm"))
        elif isinstance(w, QLineEdit):
            w.setText("" if value is None else str(value))

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return w.value()
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QTimeEdit):
            return w.time().toString("HH:mm")
        return w.text().strip()


class OfficeTab(QWidget):
    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.errors = FieldErrors()
        office = ctx.db.require_office()

        identity = QGroupBox(_("Thông tin đơn vị"))
        form = QFormLayout(identity)
        kind = _("Trung tâm Phục vụ hành chính công cấp xã") if office.role == "commune" else _("Cấp trên")
        form.addRow(_("Vai trò:"), QLabel(kind))
        place = f"{office.office_code}" + (f" — {office.province_name}" if office.province_name else "")
        form.addRow(_("Mã đơn vị:"), QLabel(place))
        self.office_name = QLineEdit(office.office_name)
        self.unit_id = QLineEdit(office.unit_id)
        self.reception_point = QSpinBox()
        self.reception_point.setRange(0, 9)
        self.reception_point.setValue(office.reception_point)
        self.hub_name = QLineEdit(office.hub_name or "")
        self.errors.add_row(form, _("Tên đơn vị:"), self.office_name, "office_name")
        self.errors.add_row(form, _("Mã định danh (đầu mã hồ sơ):"), self.unit_id, "unit_id")
        self.errors.add_row(form, _("Số hiệu điểm tiếp nhận:"), self.reception_point, "reception_point")
        self.errors.add_row(form, _("Cơ quan cấp trên:"), self.hub_name, "hub_name")

        self.editors: dict[str, SettingEditor] = {}
        boxes: dict[int, QFormLayout] = {}
        group_boxes: dict[int, QGroupBox] = {}
        for key in editable_keys():
            index = _group_of(key)
            if index not in boxes:
                title = _(GROUPS[index][1]) if index < len(GROUPS) else _("Khác")
                group_boxes[index] = QGroupBox(title)
                boxes[index] = QFormLayout(group_boxes[index])
                boxes[index].setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            editor = SettingEditor(key)
            self.editors[key] = editor
            label = QLabel(_(settings_registry.SETTINGS[key].label))
            label.setWordWrap(True)
            label.setMinimumWidth(260)
            self.errors.add_row(boxes[index], label, editor.widget, key)

        left = QVBoxLayout()
        right = QVBoxLayout()
        left.addWidget(identity)
        ordered = [group_boxes[i] for i in sorted(group_boxes)]
        for i, box in enumerate(ordered):
            (left if i % 2 == 0 else right).addWidget(box)
        left.addStretch(1)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        inner = QWidget()
        inner.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton(_("Lưu thay đổi"))
        self.save_button.clicked.connect(self.save)
        self.reload_button = QPushButton(_("Hoàn tác"))
        self.reload_button.clicked.connect(self.load)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.reload_button)
        bar.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(bar)
        self.load()

    def load(self) -> None:
        self.errors.clear()
        self.message.clear()
        run_task(lambda _ctl: office_service.settings_values(self.ctx), on_success=self._fill, parent=self)

    def _fill(self, values: dict[str, Any]) -> None:
        for key, editor in self.editors.items():
            editor.set_value(values.get(key))
        office = self.ctx.db.office
        if office is not None:
            self.office_name.setText(office.office_name)
            self.unit_id.setText(office.unit_id)
            self.reception_point.setValue(office.reception_point)
            self.hub_name.setText(office.hub_name or "")

    def save(self) -> None:
        values = {key: editor.value() for key, editor in self.editors.items()}
        office = dict(office_name=self.office_name.text(), unit_id=self.unit_id.text(),
                      hub_name=self.hub_name.text(), reception_point=self.reception_point.value())
        self.errors.clear()
        self.save_button.setEnabled(False)

        def work(_ctl):
            return office_service.save_settings(self.ctx, values, office=office)

        run_task(work, on_success=self._saved, on_failure=self._failed, parent=self)

    def _saved(self, _info) -> None:
        self.save_button.setEnabled(True)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(_("Đã lưu."))
        if hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("settings")

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        self.errors.show_exception(exc)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(_("Chưa lưu: hãy sửa các ô được đánh dấu."))


def create_tab(ctx: Ctx, window) -> QWidget:
    return OfficeTab(ctx, window)
