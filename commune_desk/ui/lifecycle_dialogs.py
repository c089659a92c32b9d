"""The small dialogs of the dossier's steps: one form per step, built from :data:`STEP_FIELDS`
(the data FACTS.md section 3 asks each step to keep), and the citizen's rating.

A dialog never talks to the database: it emits ``submitted(dict)``; the action panel runs
the service off the UI thread and either closes the dialog or hands the ValidationError
back with :meth:`StepDialog.show_error` (the message appears under its field).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import local_now, local_today, to_local, to_utc
from commune_desk.errors import ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services.lifecycle import DossierCard, Handler
from commune_desk.services.ratings import CHANNELS, CRITERIA
from commune_desk.ui.forms import FieldErrors
from commune_desk.ui.qdates import from_qdate as _pydate
from commune_desk.ui.qdates import to_qdate as _qdate


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str                                   # N_() text
    kind: str                                    # line | text | lines | date | moment | money | choice | handler
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()    # (value, N_() label) for "choice"
    hint: str = ""                               # N_() placeholder


SIGNER_TITLE = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"   # printed as is (Vietnamese forms)
AT = FieldSpec("at", N_("Thời điểm thực hiện"), "moment")
NOTE = FieldSpec("note", N_("Ghi chú"), "text")
NOTIFIED = (("sms", N_("Tin nhắn SMS")), ("phone", N_("Điện thoại")), ("email", N_("Thư điện tử")),
            ("paper", N_("Gửi văn bản")))
RETURN_CHANNELS = (("counter", N_("Tại quầy")), ("post", N_("Qua bưu chính công ích")),
                   ("online", N_("Trực tuyến")))

STEP_FIELDS: dict[str, list[FieldSpec]] = {
    "assign": [FieldSpec("to_name", N_("Chuyển cho"), "handler", True, hint=N_("Người xử lý hoặc tên cơ quan")),
               FieldSpec("to_agency", N_("Cơ quan khác (liên thông)"), "line",
                         hint=N_("Để trống nếu xử lý tại đơn vị")),
               FieldSpec("deadline", N_("Hạn xử lý của bước này"), "date"), NOTE],
    "request_supplement": [FieldSpec("items", N_("Nội dung cần bổ sung (mỗi dòng một mục)"), "lines", True),
                           FieldSpec("reason", N_("Lý do"), "text", True),
                           FieldSpec("contact_name", N_("Người hướng dẫn"), "line"),
                           FieldSpec("contact_phone", N_("Số điện thoại liên hệ"), "line")],
    "receive_supplement": [FieldSpec("documents", N_("Giấy tờ đã bổ sung (mỗi dòng một mục)"), "lines"), AT, NOTE],
    "request_obligation": [FieldSpec("description", N_("Nội dung nghĩa vụ tài chính"), "text", True),
                           FieldSpec("amount_vnd", N_("Số tiền (đồng)"), "money"), NOTE],
    "obligation_done": [FieldSpec("receipt", N_("Số biên lai, chứng từ"), "line"), AT, NOTE],
    "extend": [FieldSpec("reason", N_("Lý do chậm trễ"), "text", True),
               FieldSpec("new_due", N_("Ngày hẹn trả mới"), "date", True),
               FieldSpec("signer_name", N_("Người ký"), "line", True),
               FieldSpec("signer_title", N_("Chức danh ký"), "text"),
               FieldSpec("notified_by", N_("Đã báo cho công dân qua"), "choice", choices=NOTIFIED)],
    "refuse": [FieldSpec("reason", N_("Lý do từ chối"), "text", True)],
    "request_withdrawal": [FieldSpec("request", N_("Nội dung đề nghị của công dân"), "text", True), NOTE],
    "cancel_withdrawal": [NOTE],
    "withdraw": [FieldSpec("returned_to", N_("Người nhận lại hồ sơ"), "line", True), NOTE],
    "stop": [FieldSpec("reason", N_("Lý do công dân đề nghị dừng"), "text", True),
             FieldSpec("request_date", N_("Ngày công dân đề nghị"), "date"),
             FieldSpec("signer_name", N_("Người ký thông báo"), "line"),
             FieldSpec("signer_title", N_("Chức danh ký"), "text")],
    "result_ready": [FieldSpec("result_number", N_("Số, ký hiệu văn bản kết quả"), "line", True),
                     FieldSpec("issued_on", N_("Ngày ký"), "date"),
                     FieldSpec("signer_name", N_("Người ký"), "line", True),
                     FieldSpec("signer_title", N_("Chức danh"), "line"),
                     FieldSpec("from_agency", N_("Kết quả nhận từ cơ quan"), "line",
                               hint=N_("Để trống nếu giải quyết tại đơn vị")), AT, NOTE],
    "return_result": [FieldSpec("received_by", N_("Người nhận kết quả"), "line", True),
                      FieldSpec("id_number", N_("Số giấy tờ tùy thân người nhận"), "line"),
                      FieldSpec("channel", N_("Hình thức trả"), "choice", choices=RETURN_CHANNELS), AT, NOTE],
}


class StepDialog(QDialog):
    """The data of one step. Signals:
        submitted(dict): the clerk confirmed; the values for ``services.lifecycle.perform``.
    """

    submitted = Signal(dict)

    def __init__(self, action: str, title: str, card: DossierCard, *, defaults: dict[str, Any] | None = None,
                 handlers: list[Handler] | None = None, explanation: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.setObjectName(f"step_{action}")
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.handlers = handlers or []
        self.widgets: dict[str, QWidget] = {}
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        due = to_local(card.due_at).strftime("%H:%M %d/%m/%Y") if card.due_at else "—"
        head = QLabel(_("<b>{code}</b> — {name}<br>{procedure}<br>Hẹn trả: {due} · {status}").format(
            code=card.code, name=card.applicant_name, procedure=card.procedure_name, due=due,
            status=card.status_label))
        head.setWordWrap(True)
        layout.addWidget(head)
        if explanation:
            note = QLabel(explanation)
            note.setObjectName("explanation")
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            layout.addWidget(note)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in STEP_FIELDS.get(action, []):
            widget = self._make(spec, (defaults or {}).get(spec.key))
            widget.setObjectName(f"field_{spec.key}")
            self.widgets[spec.key] = widget
            label = _(spec.label) + (" *" if spec.required else "")
            self.errors.add_row(form, label, widget, spec.key)
        layout.addLayout(form)
        self.general_error = self.errors.label_for("")
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Ghi nhận"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # -- widgets -------------------------------------------------------------------------
    def _make(self, spec: FieldSpec, default: Any) -> QWidget:
        if spec.kind in ("text", "lines"):
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(64 if spec.kind == "text" else 80)
            if default:
                w.setPlainText("\n".join(default) if isinstance(default, list) else str(default))
            return w
        if spec.kind == "date":
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("dd/MM/yyyy")
            w.setDate(_qdate(default or local_today()))
            return w
        if spec.kind == "moment":
            w = QDateTimeEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("HH:mm dd/MM/yyyy")
            local = to_local(default) if isinstance(default, dt.datetime) else local_now()
            w.setDateTime(QDateTime(_qdate(local.date()), QTime(local.hour, local.minute)))
            w.setProperty("untouched", w.dateTime())  # left as is: the step happens "now"
            return w
        if spec.kind == "money":
            w = QSpinBox()
            w.setRange(0, 1_000_000_000)
            w.setSingleStep(1000)
            w.setGroupSeparatorShown(True)
            w.setSuffix(" đ")
            w.setValue(int(default or 0))
            return w
        if spec.kind == "choice":
            w = QComboBox()
            for value, label in spec.choices:
                w.addItem(_(label), value)
            if default is not None:
                w.setCurrentIndex(max(0, w.findData(default)))
            return w
        if spec.kind == "handler":
            w = QComboBox()
            w.setEditable(True)
            w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            for h in self.handlers:
                w.addItem(f"{h.name} — {h.agency}" if h.agency else h.name, h)
            w.setCurrentIndex(-1)
            w.setEditText(str(default or ""))
            w.lineEdit().setPlaceholderText(_(spec.hint) if spec.hint else "")
            w.currentIndexChanged.connect(self._handler_picked)
            return w
        w = QLineEdit()
        if spec.hint:
            w.setPlaceholderText(_(spec.hint))
        if default is not None:
            w.setText(str(default))
        return w

    def _handler_picked(self, index: int) -> None:
        combo = self.widgets.get("to_name")
        if not isinstance(combo, QComboBox) or index < 0:
            return
        handler = combo.itemData(index)
        if isinstance(handler, Handler):
            combo.setEditText(handler.name)
            agency = self.widgets.get("to_agency")
            if isinstance(agency, QLineEdit):
                agency.setText(handler.agency or "")

    def set_value(self, key: str, value: Any) -> None:
        """Fill a field (tests and defaults): text, a date, a list of lines."""
        w = self.widgets[key]
        if isinstance(w, QPlainTextEdit):
            w.setPlainText("\n".join(value) if isinstance(value, list) else str(value))
        elif isinstance(w, QDateTimeEdit) and not isinstance(w, QDateEdit):
            local = to_local(value) if value.tzinfo else value
            w.setDateTime(QDateTime(_qdate(local.date()), QTime(local.hour, local.minute)))
        elif isinstance(w, QDateEdit):
            w.setDate(_qdate(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif isinstance(w, QComboBox) and w.isEditable():
            w.setEditText(str(value))
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QLineEdit):
            w.setText(str(value))

    # -- values --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in STEP_FIELDS.get(self.action, []):
            w = self.widgets[spec.key]
            if spec.kind == "lines":
                out[spec.key] = [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
            elif spec.kind == "text":
                out[spec.key] = w.toPlainText().strip()
            elif spec.kind == "date":
                out[spec.key] = _pydate(w.date())
            elif spec.kind == "moment":
                q = w.dateTime()
                if q == w.property("untouched"):
                    out[spec.key] = None
                    continue
                out[spec.key] = to_utc(dt.datetime(q.date().year(), q.date().month(), q.date().day(),
                                                   q.time().hour(), q.time().minute()))
            elif spec.kind == "money":
                out[spec.key] = w.value() or None
            elif spec.kind == "choice":
                out[spec.key] = w.currentData()
            elif spec.kind == "handler":
                text = w.currentText().strip()
                out[spec.key] = text
                match = next((h for h in self.handlers if h.name == text and h.id is not None), None)
                out["to_id"] = match.id if match else None
            else:
                out[spec.key] = w.text().strip()
        return out

    def _submit(self) -> None:
        self.errors.clear()
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.values())

    def show_error(self, exc: BaseException) -> None:
        """The service refused: the message under its field (or above the buttons)."""
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            rest = self.errors.show_exception(exc)
        else:
            rest = [("", str(exc))]
        if rest:
            self.general_error.setText("\n".join(m for _f, m in rest))
            self.general_error.show()

    def error_text(self) -> str:
        """Every message shown (tests)."""
        return "\n".join(label.text() for label in self.errors.labels.values() if not label.isHidden())


class RatingDialog(QDialog):
    """The citizen's evaluation, entered by the clerk from the sheet or as told. No field
    names the rater. Signals:
        submitted(dict): keyword arguments for ``services.ratings.record_rating``.
    """

    submitted = Signal(dict)

    def __init__(self, card: DossierCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("step_rate")
        self.setWindowTitle(_("Đánh giá của công dân"))
        self.setMinimumWidth(820)
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        head = QLabel(_("<b>{code}</b> — {procedure}<br><i>Không ghi tên người đánh giá.</i>").format(
            code=card.code, procedure=card.procedure_name))
        head.setWordWrap(True)
        layout.addWidget(head)
        form = QFormLayout()
        self.scores: dict[str, QComboBox] = {}
        for c in CRITERIA:
            box = QComboBox()
            box.setObjectName(f"score_{c.key}")
            box.addItem(_("— không đánh giá —"), None)
            for score, label in c.options:
                box.addItem(f"{_(label)} ({score})", score)
            self.scores[c.key] = box
            form.addRow(QLabel(f"{c.letter}) {_(c.question)}"), box)
        self.channel = QComboBox()
        for key, label in CHANNELS.items():
            self.channel.addItem(_(label), key)
        form.addRow(_("Hình thức"), self.channel)
        self.complaint = QCheckBox(_("Có phản ánh, kiến nghị, khiếu nại"))
        self.dislike = QCheckBox(_("Không hài lòng"))
        form.addRow("", self.complaint)
        form.addRow("", self.dislike)
        self.comment = QPlainTextEdit()
        self.comment.setFixedHeight(60)
        self.errors.add_row(form, _("i) Ý kiến khác"), self.comment, "comment")
        layout.addLayout(form)
        self.general_error = self.errors.label_for("scores")
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Ghi nhận"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {"scores": {k: box.currentData() for k, box in self.scores.items()},
                "complaint": self.complaint.isChecked(), "dislike": self.dislike.isChecked(),
                "comment": self.comment.toPlainText().strip() or None, "channel": self.channel.currentData()}

    def set_score(self, key: str, score: int | None) -> None:
        box = self.scores[key]
        box.setCurrentIndex(box.findData(score))

    def _submit(self) -> None:
        self.errors.clear()
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.values())

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        rest = self.errors.show_exception(exc) if isinstance(exc, ValidationError) else [("", str(exc))]
        if rest:
            self.general_error.setText("\n".join(m for _f, m in rest))
            self.general_error.show()

