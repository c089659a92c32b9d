"""Pieces the training windows share: a table model over plain rows, PDF printing through
the preview, and small formatting helpers."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTime
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from commune_desk.i18n import _
from commune_desk.ui.qdates import from_qdate, to_qdate  # noqa: F401 - used by the training pages
from commune_desk.ui.tasks import run_task

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Col:
    """One column: its header (already translated), how to read a row, alignment, width."""

    header: str
    value: Callable[[Any], Any]
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
    width: int | None = None


class RowsModel(QAbstractTableModel):
    """A read-only table of frozen dataclasses (never live ORM objects)."""

    def __init__(self, columns: Sequence[Col], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def replace(self, row: int, item: Any) -> None:
        self.rows[row] = item
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(self.rows[index.row()])
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self.rows[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def row_of(self, predicate: Callable[[Any], bool]) -> int:
        return next((i for i, r in enumerate(self.rows) if predicate(r)), -1)


def make_table(model: RowsModel, *, stretch: int | None = None, object_name: str = "") -> QTableView:
    view = QTableView()
    if object_name:
        view.setObjectName(object_name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(26)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    for i, col in enumerate(model.columns):
        if col.width:
            view.setColumnWidth(i, col.width)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def selected(view: QTableView) -> Any | None:
    index = view.currentIndex()
    if not index.isValid() or not view.selectionModel().isSelected(index):
        rows = view.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0]
    return view.model().data(view.model().index(index.row(), 0), Qt.ItemDataRole.UserRole)


def select_row(view: QTableView, row: int) -> None:
    if 0 <= row < view.model().rowCount():
        view.setCurrentIndex(view.model().index(row, max(0, view.currentIndex().column())))
        view.selectRow(row)


# -- formatting -----------------------------------------------------------------------------------
def dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def hm(moment: dt.time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def to_qtime(moment: dt.time) -> QTime:
    return QTime(moment.hour, moment.minute)


def from_qtime(moment: QTime) -> dt.time:
    return dt.time(moment.hour(), moment.minute())


def position_unit(position: str | None, unit: str | None) -> str:
    return ", ".join(x for x in (position, unit) if x)


def score_text(score: float | None) -> str:
    """8.5 -> '8,5' (the Vietnamese decimal comma)."""
    if score is None:
        return ""
    return f"{score:g}".replace(".", ",")


def passed_text(passed: bool | None) -> str:
    return {True: _("Đạt"), False: _("Không đạt")}.get(passed, "")  # type: ignore[arg-type]


# -- printing ---------------------------------------------------------------------------------------
def pdf_path(stem: str) -> Path:
    """A fresh file in the temporary folder (the preview saves a copy where the user wants)."""
    folder = Path(tempfile.gettempdir()) / "commune_desk-prints"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:60]
    return folder / f"{safe}-{uuid.uuid4().hex[:8]}.pdf"


def print_pdf(parent: QWidget, make: Callable[[Path], Path], stem: str, title: str,
              on_shown: Callable[[Any], None] | None = None) -> None:
    """Build the PDF off the UI thread, then show it in the preview (Print, Save as…)."""
    target = pdf_path(stem)

    def shown(path: Path) -> None:
        from commune_desk.ui.pdf_preview import show_pdf

        dialog = show_pdf(path, parent, title=title, ctx=getattr(parent, "ctx", None))
        parent.setProperty("last_pdf", str(path))
        if on_shown:
            on_shown(dialog)

    run_task(lambda _ctl: make(target), on_success=shown, parent=parent, progress=_("Đang tạo bản in…"),
             cancellable=False)
