"""One dossier on screen: its details (the ID number masked), its history of events, and the
lifecycle's action panel for the next legal step.

Signals:
    back(): the clerk wants the list again (Esc or the button).
    changed(): a step was taken on the dossier (the list refreshes).
"""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import to_local
from commune_desk.i18n import N_, _
from commune_desk.services import dossier_query as dq
from commune_desk.services.context import Ctx
from commune_desk.ui.reveal_id import attach_reveal
from commune_desk.ui.tasks import run_task

HISTORY_COLUMNS = (N_("Thời gian"), N_("Bước xử lý"), N_("Người thực hiện"), N_("Trạng thái sau bước"),
                   N_("Nội dung"))


def esc(text: str) -> str:
    """Citizens' data shown in rich-text labels: never markup."""
    return html.escape(text or "")


def _when(moment) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"


def _money(vnd: int) -> str:
    return f"{vnd:,}".replace(",", ".") + " đ"


class DossierView(QWidget):
    back = Signal()
    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossier_view")
        self.ctx = ctx
        self.dossier_id: uuid.UUID | None = None
        self.info: dq.DossierDetails | None = None
        self.actions: QWidget | None = None

        back = QPushButton(_("← Danh sách hồ sơ (Esc)"))
        back.setObjectName("back")
        back.clicked.connect(self.back)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back.emit)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addSpacing(12)
        top.addWidget(self.title, 1)

        self.applicant = QFormLayout()
        self.dossier = QFormLayout()
        for form in (self.applicant, self.dossier):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.documents = QLabel()
        self.documents.setWordWrap(True)
        self.documents.setTextFormat(Qt.TextFormat.RichText)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        for title, content in ((_("Người nộp hồ sơ"), self.applicant), (_("Hồ sơ"), self.dossier)):
            box = QGroupBox(title)
            box.setLayout(content)
            left_layout.addWidget(box)
        docs_box = QGroupBox(_("Giấy tờ đã nhận"))
        QVBoxLayout(docs_box).addWidget(self.documents)
        left_layout.addWidget(docs_box)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setObjectName("history")
        self.history.setHorizontalHeaderLabels([_(c) for c in HISTORY_COLUMNS])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setWordWrap(True)
        self.history.verticalHeader().setVisible(False)
        header = self.history.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 4):
            header.setSectionResizeMode(col, mode)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        history_box = QGroupBox(_("Quá trình xử lý"))
        QVBoxLayout(history_box).addWidget(self.history)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(history_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([440, 700])

        self.actions_box = QGroupBox(_("Bước tiếp theo"))
        self.actions_layout = QVBoxLayout(self.actions_box)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.actions_box)

    # -- loading ------------------------------------------------------------------------
    def open(self, dossier_id: uuid.UUID) -> None:
        """Show this dossier (loaded in the background) with a fresh action panel."""
        self.dossier_id = dossier_id
        self.info = None
        self.title.setText(_("Đang tải hồ sơ…"))
        self.history.setRowCount(0)
        if self.actions is not None:
            self.actions.setParent(None)
            self.actions.deleteLater()
        from commune_desk.ui.dossier_actions import ActionPanel

        self.actions = ActionPanel(self.ctx, dossier_id, self.actions_box)
        self.actions.changed.connect(self._step_taken)
        self.actions_layout.addWidget(self.actions)
        self.reload()

    def reload(self) -> None:
        if self.dossier_id is None:
            return
        ctx, dossier_id = self.ctx, self.dossier_id
        run_task(lambda _ctl: dq.details(ctx, dossier_id), on_success=self._show, on_failure=self._failed,
                 parent=self)

    def _step_taken(self) -> None:
        self.reload()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))
        self.message.show()

    # -- showing ------------------------------------------------------------------------
    def _show(self, info: dq.DossierDetails) -> None:
        if info.id != self.dossier_id:
            return
        self.info = info
        self.message.hide()
        status = info.status_label
        if info.overdue:
            status += f" · <span style='color:#b00020'><b>{_('Quá hạn')}</b></span>"
        self.title.setText(f"<span style='font-size:15pt'><b>{esc(info.code)}</b></span>&nbsp;&nbsp;{status}")
        _fill(self.applicant, [
            (_("Họ và tên"), f"<b>{esc(info.applicant_name)}</b>"),
            (_("Số định danh"), esc(info.id_number_masked) or "—"),
            (_("Ngày sinh"), info.dob.strftime("%d/%m/%Y") if info.dob else "—"),
            (_("Điện thoại"), esc(info.phone) or "—"),
            (_("Địa chỉ"), esc(info.address) or "—"),
            (_("Email"), esc(info.email) or "—"),
        ])
        attach_reveal(self.applicant, 1, self.ctx, info.id, esc(info.id_number_masked))  # audited view (issue 8)
        due = _when(info.due_at)
        if info.original_due_at and info.due_at and info.original_due_at != info.due_at:
            due += " " + _("(hẹn ban đầu {when})").format(when=_when(info.original_due_at))
        if info.overdue:
            due = f"<span style='color:#b00020'><b>{due}</b></span>"
        rows = [
            (_("Thủ tục"), esc(f"{info.procedure_code} — {info.procedure_name}")),
            (_("Lĩnh vực"), esc(info.field)),
            (_("Ngày nhận"), _when(info.received_at)),
            (_("Hẹn trả"), due),
            (_("Sổ theo dõi"), _("số {n}/{year}").format(n=info.book_number, year=info.book_year)),
            (_("Người tiếp nhận"), esc(info.receiver_name) or "—"),
            (_("Người xử lý"), esc(info.handler_name) or "—"),
            (_("Hình thức nộp"), esc(info.channel)),
            (_("Nhận kết quả"), esc(info.result_delivery)),
            (_("Phí, lệ phí"), _money(info.fee_vnd)),
        ]
        if info.relay[0]:  # received for another commune of the province, or relayed here
            rows.insert(0, (info.relay[0], f"<b>{esc(info.relay[1])}</b>"))
        if info.outcome:
            rows.append((_("Kết quả giải quyết"), info.outcome))
        if info.note:
            rows.append((_("Ghi chú"), esc(info.note)))
        _fill(self.dossier, rows)
        if info.documents:
            self.documents.setText("<br>".join(
                f"{'✓' if d.received else '✗'} {esc(d.name)} <i>({esc(d.form)}, {d.count})</i>"
                for d in info.documents))
        else:
            self.documents.setText(_("(không ghi)"))
        self.history.setRowCount(len(info.history))
        for i, line in enumerate(info.history):
            for col, value in enumerate((_when(line.at), line.label, line.actor_name, line.to_status, line.details)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history.setItem(i, col, item)
        self.history.resizeRowsToContents()


def _fill(form: QFormLayout, rows: list[tuple[str, str]]) -> None:
    while form.rowCount():
        form.removeRow(0)
    for label, value in rows:
        text = QLabel(value)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(label + ":", text)
