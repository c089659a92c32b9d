"""Actions on one dossier: a button for each LEGAL next step (from the status; a step a time
rule blocks right now is shown disabled with the reason as its tooltip), each opening a
small dialog for that step's data, running the service off the UI thread, then showing the
step's form (supplement request, apology, refusal, stop notice, control slip) in the PDF
preview. "In biểu mẫu" reprints any form the dossier already has."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import local_today, to_local
from commune_desk.domain.lifecycle import Action
from commune_desk.i18n import _
from commune_desk.services import documents, lifecycle, ratings
from commune_desk.services.context import Ctx
from commune_desk.services.lifecycle_forms import FORM_LABELS, form_path, printable_kinds
from commune_desk.ui.lifecycle_dialogs import SIGNER_TITLE, RatingDialog, StepDialog
from commune_desk.ui.tasks import run_task

COLUMNS = 4


class ActionPanel(QWidget):
    """Buttons for the legal next steps of a dossier.

    Signals:
        changed(): the dossier changed; the view reloads it.
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, dossier_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("action_panel")
        self.ctx = ctx
        self.dossier_id = dossier_id
        self.card: lifecycle.DossierCard | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.dialog: StepDialog | RatingDialog | None = None
        self.preview = None
        self.last_pdf: str | None = None
        self._handlers: list[lifecycle.Handler] = []
        self._kinds: list[str] = []

        self.summary = QLabel(_("Đang tải…"))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.print_button = QToolButton()
        self.print_button.setObjectName("print_menu")
        self.print_button.setText(_("In biểu mẫu"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_menu = QMenu(self.print_button)
        self.print_button.setMenu(self.print_menu)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(self.grid)
        layout.addLayout(bottom)
        self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, dossier_id = self.ctx, self.dossier_id

        def load(_ctl) -> tuple:
            card = lifecycle.card(ctx, dossier_id)
            options = lifecycle.available_actions(ctx, dossier_id)
            kinds = printable_kinds(card.status, {e.kind for e in lifecycle.history(ctx, dossier_id)})
            handlers = lifecycle.handler_choices(ctx) if any(o.action == "assign" for o in options) else []
            return card, options, kinds, handlers

        run_task(load, on_success=self._show, parent=self)

    def _show(self, loaded: tuple) -> None:
        card, options, kinds, handlers = loaded
        self.card, self._kinds, self._handlers = card, kinds, handlers
        due = to_local(card.due_at).strftime("%H:%M %d/%m/%Y") if card.due_at else "—"
        parts = [f"<b>{card.status_label}</b>", _("Hẹn trả: {due}").format(due=due)]
        if card.handler_name:
            parts.append(_("Người xử lý: {name}").format(name=card.handler_name))
        if card.extension_count:
            parts.append(_("Đã hẹn lại"))
        if card.overdue:
            parts.append(f"<span style='color:#b00020'><b>{_('Quá hạn')}</b></span>")
        self.summary.setText(" · ".join(parts))
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons.clear()
        for i, option in enumerate(options):
            button = QPushButton(option.label)
            button.setObjectName(f"action_{option.action}")
            button.setEnabled(option.enabled)
            button.setToolTip(option.reason)
            button.clicked.connect(lambda _checked=False, a=option.action: self.open_step(a))
            self.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.buttons[option.action] = button
        self.print_menu.clear()
        for kind in kinds:
            act = self.print_menu.addAction(_(FORM_LABELS[kind]))
            act.setData(kind)
            act.triggered.connect(lambda _checked=False, k=kind: self.print_form(k))

    # -- steps ---------------------------------------------------------------------------
    def defaults(self, action: str) -> dict[str, Any]:
        card = self.card
        assert card is not None
        me = self.ctx.actor.full_name
        due = to_local(card.due_at).date() if card.due_at else local_today()
        later = due + dt.timedelta(days=7)
        while later.weekday() >= 5:
            later += dt.timedelta(days=1)
        return {
            "assign": {"deadline": due},
            "request_supplement": {"contact_name": me},
            "extend": {"new_due": later, "signer_title": SIGNER_TITLE},
            "stop": {"request_date": local_today(), "signer_title": SIGNER_TITLE},
            "withdraw": {"returned_to": card.applicant_name},
            "result_ready": {"issued_on": local_today()},
            "return_result": {"received_by": card.applicant_name, "channel": "counter"},
        }.get(action, {})

    def explanation(self, action: str) -> str:
        return {
            "request_supplement": _("Chỉ được yêu cầu bổ sung một lần: nêu đầy đủ mọi nội dung cần bổ sung. "
                                    "Thời gian giải quyết dừng lại cho đến khi nhận đủ hồ sơ."),
            "receive_supplement": _("Thời gian giải quyết được tính lại từ đầu; phần mềm tính ngày hẹn mới."),
            "extend": _("Chỉ được hẹn lại một lần, chậm nhất một ngày làm việc trước ngày hẹn trả. "
                        "Văn bản xin lỗi sẽ được in để ký, đóng dấu."),
            "refuse": _("Phiếu từ chối sẽ được in để giao cho công dân."),
            "stop": _("Thông báo dừng giải quyết sẽ được in để ký, đóng dấu."),
        }.get(action, "")

    def open_step(self, action: str) -> None:
        if self.card is None:
            return
        if action == Action.RATE:
            dialog: StepDialog | RatingDialog = RatingDialog(self.card, self)
            dialog.submitted.connect(lambda values, d=dialog: self._run_rating(d, values))
        else:
            title = lifecycle.action_label(action)
            dialog = StepDialog(action, title, self.card, defaults=self.defaults(action), handlers=self._handlers,
                                explanation=self.explanation(action), parent=self)
            dialog.submitted.connect(lambda values, d=dialog, a=action: self._run_step(d, a, values))
        self.dialog = dialog
        dialog.open()

    def _run_step(self, dialog: StepDialog, action: str, values: dict[str, Any]) -> None:
        ctx, dossier_id = self.ctx, self.dossier_id
        at = values.pop("at", None)
        run_task(lambda _ctl: lifecycle.perform(ctx, dossier_id, action, values, at=at),
                 on_success=lambda done: self._step_done(dialog, done), on_failure=dialog.show_error,
                 parent=self, progress=_("Đang ghi nhận…"), cancellable=False)

    def _run_rating(self, dialog: RatingDialog, values: dict[str, Any]) -> None:
        ctx, dossier_id = self.ctx, self.dossier_id
        run_task(lambda _ctl: ratings.record_rating(ctx, dossier_id, **values),
                 on_success=lambda _row: self._step_done(dialog, None), on_failure=dialog.show_error, parent=self)

    def _step_done(self, dialog, done: lifecycle.StepDone | None) -> None:
        dialog.accept()
        self.dialog = None
        self.reload()
        self.changed.emit()
        if done is not None and done.form_kind:
            self.print_form(done.form_kind)

    # -- printing ------------------------------------------------------------------------
    def print_form(self, kind: str) -> None:
        if self.card is None:
            return
        ctx, code = self.ctx, self.card.code
        target = form_path(ctx.db.data_dir / "print", kind, code)
        codes = [] if kind == "rating-sheet" else [code]
        title = _(FORM_LABELS[kind])
        run_task(lambda _ctl: documents.print_form(ctx, kind, codes, target),
                 on_success=lambda path: self._show_pdf(path, title), parent=self,
                 progress=_("Đang tạo bản in…"), cancellable=False)

    def _show_pdf(self, path, title: str) -> None:
        from commune_desk.ui.pdf_preview import show_pdf

        self.last_pdf = str(path)
        self.preview = show_pdf(path, self, title=title, ctx=self.ctx)
