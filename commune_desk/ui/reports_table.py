"""The periodic table in the window: a model over the report's rows (plain data) and a band
above the column headers that shows the merged header groups of the provincial table."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

from commune_desk.i18n import _, current_language
from commune_desk.reports.model import COLUMNS, FIELD, NAME_LABEL, STT_LABEL, TOTAL, Row

Index = QModelIndex | QPersistentModelIndex
TOTAL_BRUSH = QBrush(QColor("#eef2f6"))
FIELD_BRUSH = QBrush(QColor("#f7f9fb"))


def show_number(value: int | float | None) -> str:
    """As the window shows it: '1.234' in Vietnamese, '1,234' in English."""
    if value is None:
        return "-"
    text = f"{int(value):,}"
    return text.replace(",", ".") if current_language() == "vi" else text


def show_rate(value: float | None, digits: int = 2) -> str:
    """'53,85' in Vietnamese, '53.85' in English; '-' when there is nothing to divide."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if current_language() == "vi" else text


def wrapped(label: str, width: int = 10) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


class ReportRowsModel(QAbstractTableModel):
    """STT, name, (extra text columns), then the count columns of :data:`COLUMNS`."""

    def __init__(self, name_label: str = NAME_LABEL, extra: Sequence[str] = (), parent=None) -> None:
        super().__init__(parent)
        self.name_label = name_label
        self.extra_labels = list(extra)
        self.rows: list[Row] = []
        self.extra_values: list[dict[str, str]] = [{} for _x in self.extra_labels]

    @property
    def lead(self) -> int:
        return 2 + len(self.extra_labels)

    def set_rows(self, rows: Sequence[Row], extra_values: Sequence[dict[str, str]] = ()) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.extra_values = list(extra_values) or [{} for _x in self.extra_labels]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.lead + len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return _(STT_LABEL)
            if section == 1:
                return _(self.name_label)
            if section < self.lead:
                return wrapped(_(self.extra_labels[section - 2]), 14)
            return wrapped(_(COLUMNS[section - self.lead].label))
        if role == Qt.ItemDataRole.ToolTipRole and section >= self.lead:
            column = COLUMNS[section - self.lead]
            return f"{_(column.group)}: {_(column.label)}" if column.group else _(column.label)
        return None

    def text(self, row: int, column: int) -> str:
        item = self.rows[row]
        if column == 0:
            return item.stt
        if column == 1:
            return _(item.label) if item.level == TOTAL else item.label
        if column < self.lead:
            return "" if item.level == TOTAL else self.extra_values[column - 2].get(item.code or "", "")
        col = COLUMNS[column - self.lead]
        return show_rate(item.counts.rate) if col.percent else show_number(item.counts.cell(col.key))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if index.column() == 1:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and item.level in (FIELD, TOTAL):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return TOTAL_BRUSH if item.level == TOTAL else FIELD_BRUSH if item.level == FIELD else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1 and item.code:
            return f"{item.label} ({item.code})"
        return None


class GroupBand(QWidget):
    """The merged group labels ("Số hồ sơ nhận giải quyết", …) above the table's headers,
    kept aligned with the columns when they are resized or scrolled."""

    def __init__(self, table: QTableView, model: ReportRowsModel) -> None:
        super().__init__(table.parentWidget())
        self.table, self.model = table, model
        self.setFixedHeight(26)
        header = table.horizontalHeader()
        header.sectionResized.connect(lambda *_a: self.update())
        table.horizontalScrollBar().valueChanged.connect(lambda *_a: self.update())

    def groups(self) -> list[tuple[str, int, int]]:
        """(label, first column, last column) of each group, in model columns."""
        out: list[tuple[str, int, int]] = []
        for k, column in enumerate(COLUMNS):
            col = self.model.lead + k
            if column.group and out and out[-1][0] == column.group and out[-1][2] == col - 1:
                out[-1] = (column.group, out[-1][1], col)
            elif column.group:
                out.append((column.group, col, col))
        return out

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        header = self.table.horizontalHeader()
        offset = self.table.frameWidth() + (self.table.verticalHeader().width()
                                            if self.table.verticalHeader().isVisible() else 0)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        for label, first, last in self.groups():
            x = offset + header.sectionViewportPosition(first)
            width = sum(header.sectionSize(c) for c in range(first, last + 1))
            rect = QRect(x, 0, width - 1, self.height() - 1)
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Button))
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.drawRect(rect)
            painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), _(label))
        painter.end()


def report_table(name_label: str = NAME_LABEL, extra: Sequence[str] = ()) -> tuple[QWidget, QTableView,
                                                                                     ReportRowsModel]:
    """A table with its group band: (container, view, model)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    model = ReportRowsModel(name_label, extra, box)
    view = QTableView(box)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(False)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)                       # one line per row; the full name is in the tooltip
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    head = view.horizontalHeader()
    head.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
    head.setMinimumHeight(66)
    head.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    view.setColumnWidth(0, 36)
    for k in range(model.lead, model.columnCount()):
        view.setColumnWidth(k, 60 if model.lead == 2 else 54)   # narrower beside the extra columns
    for k in range(2, model.lead):
        view.setColumnWidth(k, 140)
    band = GroupBand(view, model)
    layout.addWidget(band)
    layout.addWidget(view)
    return box, view, model
