"""The dossier list as a lazy Qt table model: a million rows without loading them.

Rows live in pages of :data:`PAGE` rows, fetched off the UI thread (``run_task``) only when
the view asks for a row that is not there (``data()`` answers "…" meanwhile). A page is
found by keyset from a neighbour already known: the page before it, the page after it,
the end of the list (Ctrl+End), or a *bookmark* — the key of every PAGE-th row, found the
first time the clerk jumps past them by hopping along the index PAGE rows at a time
(``dossier_query.bookmarks``). No deep OFFSET anywhere, so a page costs the same at row 10
and at row 999,800. At most :data:`KEEP_PAGES` pages stay
in memory.

Opening the whole list costs two background tasks queued together: its first page with the
length the database keeps (``dossier_query.quick_count``: no COUNT over a million rows), then
its last page by a reversed keyset query (``fetch_page(from_end=True)``), so the first rows
show at once and Ctrl+End needs no wait. A filtered list counts in the background, then
fetches its last page ahead the same way.

Signals:
    counted(int): the number of rows of the current query is known.
    loading(bool): a background fetch started / every fetch finished.
    failed(str): a query failed (the message to show).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from shiboken6 import isValid

from commune_desk.domain.calendar import to_local
from commune_desk.errors import KnownError
from commune_desk.i18n import N_, _
from commune_desk.services import dossier_query as dq
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.ui.tasks import TaskControl, run_task, show_error

PAGE = 200
KEEP_PAGES = 60
MAX_PAGES_PER_FETCH = 4
ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1

# (key, header, sort key of dossier_query or None when the column cannot be sorted)
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("code", N_("Mã hồ sơ"), "code"),
    ("applicant", N_("Người nộp"), "applicant"),
    ("procedure", N_("Thủ tục"), None),
    ("status", N_("Trạng thái"), None),
    ("received", N_("Ngày nhận"), "received"),
    ("due", N_("Hẹn trả"), "due"),
    ("handler", N_("Người xử lý"), None),
)
OVERDUE_BACKGROUND = QColor("#fde3e1")
OVERDUE_TEXT = QColor("#b00020")
LOADING = "…"
_DISPLAY = Qt.ItemDataRole.DisplayRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _FONT, _TOOLTIP, ID_ROLE, OVERDUE_ROLE})
_OVERDUE_BRUSH = QBrush(OVERDUE_BACKGROUND)
_OVERDUE_TEXT_BRUSH = QBrush(OVERDUE_TEXT)
OVERDUE_BOLD = ("due", "status")  # the columns an overdue row sets in bold


@cache
def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def overdue_text(row: dq.DossierRow, now: dt.datetime) -> str:
    """The mark of an overdue row: how late it is, in calendar days."""
    if not row.overdue or row.due_at is None:
        return ""
    days = (to_local(now).date() - to_local(row.due_at).date()).days
    return _("quá hạn {n} ngày").format(n=days) if days > 0 else _("quá hạn")


class DossierTableModel(QAbstractTableModel):
    counted = Signal(int)
    loading = Signal(bool)
    failed = Signal(str)

    def __init__(self, ctx: Ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = dq.DossierFilter()
        self.sort_key = "received"
        self.descending = True
        self.total: int | None = None
        self._rows = 0
        self._pages: OrderedDict[int, list[dq.DossierRow]] = OrderedDict()
        self._texts: dict[int, list[tuple[str, ...]]] = {}
        self._wanted: list[int] = []
        self._marks: list[tuple] | None = None
        self._generation = 0
        self._busy = 0
        self._fetching = False
        self._tail_pending = False
        self.now = utcnow()
        self._dispatch_timer = QTimer(self)
        self._dispatch_timer.setSingleShot(True)
        self._dispatch_timer.timeout.connect(self._dispatch)

    # -- the query ----------------------------------------------------------------------
    def set_query(self, flt: dq.DossierFilter | None = None, sort_key: str | None = None,
                  descending: bool | None = None) -> None:
        """Show another filter or order: forget every page and start again."""
        if flt is not None:
            self.filter = flt
        if sort_key is not None:
            self.sort_key = sort_key
        if descending is not None:
            self.descending = descending
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._texts.clear()
        self._wanted.clear()
        self._marks = None
        self._rows = 0
        self.total = None
        self._fetching = False
        self._tail_pending = False
        self.now = utcnow()
        self.endResetModel()
        generation, query, now = self._generation, self._query(), self.now

        ctx = self.ctx

        def first(_ctl: TaskControl) -> tuple[list[dq.DossierRow], int | None]:
            rows = dq.fetch_page(ctx, query[0], query[1], query[2], limit=PAGE, now=now)
            return rows, dq.quick_count(ctx, query[0]) if len(rows) == PAGE else len(rows)

        self._run(first, lambda result: self._first_page(generation, *result))
        if query[0] == dq.DossierFilter():
            # the whole list: its length is kept by the database, so its end is fetched in the very
            # next task (queued before anything else the page asks for): Ctrl+End shows at once
            self._tail_pending = True

            def tail(_ctl: TaskControl) -> tuple[int | None, list[dq.DossierRow] | None]:
                total = dq.quick_count(ctx, query[0])
                if total is None or total <= PAGE:
                    return total, None
                return total, dq.fetch_page(ctx, query[0], query[1], query[2], from_end=True,
                                            limit=total - (total - 1) // PAGE * PAGE, now=now)

            self._run(tail, lambda result: self._tail(generation, *result))

    def _query(self) -> tuple[dq.DossierFilter, str, bool]:
        return self.filter, self.sort_key, self.descending

    def _first_page(self, generation: int, rows: list[dq.DossierRow], total: int | None) -> None:
        if generation != self._generation:
            return
        self._store(0, rows)
        known = max(total or 0, len(rows))
        if known:
            self.beginInsertRows(QModelIndex(), 0, known - 1)
            self._rows = known
            self.endInsertRows()
        if total is not None:  # the whole list counts nothing; a short list is its own count
            self._set_total(known)
            return
        flt, now = self.filter, self.now
        self._run(lambda _ctl: dq.count(self.ctx, flt, now=now), lambda n: self._counted(generation, n))

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        if total > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, total - 1)
            self._rows = total
            self.endInsertRows()
        elif total < self._rows:  # rows vanished between the two queries: start again
            self.refresh()
            return
        self._set_total(total)

    def _set_total(self, total: int) -> None:
        self.total = total
        self.counted.emit(total)
        last = (total - 1) // PAGE
        if total > PAGE and last not in self._pages and not self._tail_pending:
            self._want(last)   # the end of the list, fetched ahead: Ctrl+End then shows at once

    def _tail(self, generation: int, total: int | None, rows: list[dq.DossierRow] | None) -> None:
        """The end of the whole list, fetched right after its first page."""
        if generation != self._generation:
            return
        self._tail_pending = False
        if rows is None or total is None:
            return
        last = (total - 1) // PAGE
        if total == self.total:
            self._store(last, rows)
            self.dataChanged.emit(self.index(last * PAGE, 0), self.index(total - 1, len(COLUMNS) - 1))
        elif self.total is not None and self.total > PAGE:   # the list moved between the two queries
            self._want((self.total - 1) // PAGE)

    # -- Qt's side ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def row_at(self, row: int) -> dq.DossierRow | None:
        """The row if its page is loaded (never fetches)."""
        page = self._pages.get(row // PAGE)
        if page is None or row % PAGE >= len(page):
            return None
        return page[row % PAGE]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called a thousand times per paint: unhandled roles leave first, texts are made once per row.
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        number, offset = divmod(row, PAGE)
        texts = self._texts.get(number)
        if texts is None or offset >= len(texts):
            if role == _DISPLAY:
                self._want(number)
                return LOADING if index.column() == 0 else ""
            return None
        if role == _DISPLAY:
            return texts[offset][index.column()]
        item = self._pages[number][offset]
        if role == ID_ROLE:
            return item.id
        if role == OVERDUE_ROLE:
            return item.overdue
        if not item.overdue and role != _TOOLTIP:
            return None
        key = COLUMNS[index.column()][0]
        if role == _BACKGROUND:
            return _OVERDUE_BRUSH
        if role == _FOREGROUND:
            return _OVERDUE_TEXT_BRUSH if key in ("due", "status") else None
        if role == _FONT:
            return _bold() if key in OVERDUE_BOLD else None
        if key == "procedure":
            return f"{item.procedure_code} — {item.procedure_name}"
        return _("Hồ sơ quá hạn: đã qua ngày hẹn trả mà chưa có kết quả.") if item.overdue else None

    def _text(self, item: dq.DossierRow, key: str) -> str:
        if key == "code":
            return item.code
        if key == "applicant":
            return item.applicant_name
        if key == "procedure":
            return item.procedure_name
        if key == "status":
            late = overdue_text(item, self.now)
            return f"{item.status_label} — {late}" if late else item.status_label
        if key == "received":
            return to_local(item.received_at).strftime("%d/%m/%Y %H:%M")
        if key == "due":
            return to_local(item.due_at).strftime("%d/%m/%Y %H:%M") if item.due_at else "—"
        return item.handler_name or ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][2]
        if key is None:
            return
        self.set_query(sort_key=key, descending=order == Qt.SortOrder.DescendingOrder)

    def sort_column(self) -> int:
        return next(i for i, c in enumerate(COLUMNS) if c[2] == self.sort_key)

    # -- fetching pages -----------------------------------------------------------------
    def _want(self, page: int) -> None:
        if page in self._wanted:
            self._wanted.remove(page)
        self._wanted.append(page)  # the latest asked last: those are on screen now
        if not self._fetching and not self._dispatch_timer.isActive():
            self._dispatch_timer.start(0)

    def _dispatch(self) -> None:
        if self._fetching or not self._wanted:
            return
        pages = sorted(set(self._wanted[-MAX_PAGES_PER_FETCH:]))
        self._wanted.clear()
        self._fetching = True
        generation = self._generation
        anchors = {p: (rows[0].key, rows[-1].key) for p, rows in self._pages.items() if rows}
        flt, sort_key, desc = self._query()
        total, marks, now, ctx = self.total, self._marks, self.now, self.ctx

        def load(ctl: TaskControl) -> tuple[dict[int, list[dq.DossierRow]], list[tuple] | None]:
            return load_pages(ctx, flt, sort_key, desc, pages, anchors, marks, total, now, ctl)

        self._run(load, lambda result: self._loaded(generation, result),
                  finished=lambda: self._fetch_done(generation))

    def _loaded(self, generation: int, result: tuple[dict[int, list[dq.DossierRow]], list[tuple] | None]) -> None:
        if generation != self._generation:
            return
        pages, marks = result
        if marks is not None:
            self._marks = marks
        for page, rows in pages.items():
            self._store(page, rows)
            first, last = page * PAGE, min(page * PAGE + PAGE, self._rows) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _fetch_done(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if self._wanted:
            self._dispatch_timer.start(0)

    def _store(self, page: int, rows: list[dq.DossierRow]) -> None:
        self._pages[page] = rows
        self._texts[page] = [tuple(self._text(r, key) for key, _label, _sort in COLUMNS) for r in rows]
        self._pages.move_to_end(page)
        while len(self._pages) > KEEP_PAGES:   # the least recently loaded page goes first
            old, _rows = self._pages.popitem(last=False)
            self._texts.pop(old, None)

    def _run(self, fn, on_success, finished=None) -> None:
        self._busy += 1
        if self._busy == 1:
            self.loading.emit(True)

        # The view (and this model) may be gone when a query comes back: then nothing to do.
        def succeeded(result: Any) -> None:
            if isValid(self):
                on_success(result)

        def done() -> None:
            if not isValid(self):
                return
            self._busy -= 1
            if finished:
                finished()
            if self._busy == 0:
                self.loading.emit(False)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, KnownError):
                if isValid(self):
                    self.failed.emit(str(exc))
            else:  # a bug: the crash report, not a line of SQL under the filters
                show_error(None, exc)

        run_task(fn, on_success=succeeded, on_failure=failed, on_finished=done)

    def loaded_pages(self) -> list[int]:
        return sorted(self._pages)


def load_pages(ctx: Ctx, flt: dq.DossierFilter, sort_key: str, desc: bool, pages: list[int],
               anchors: dict[int, tuple[tuple, tuple]], marks: list[tuple] | None, total: int | None,
               now: dt.datetime, ctl: TaskControl | None = None) -> tuple[dict[int, list[dq.DossierRow]],
                                                                          list[tuple] | None]:
    """Fetch ``pages`` (worker thread), each by keyset from the nearest known neighbour.
    Returns the pages and the bookmarks if they had to be computed."""
    out: dict[int, list[dq.DossierRow]] = {}
    known = dict(anchors)
    marks = list(marks or [])
    new_marks: list[tuple] | None = None
    last_page = (total - 1) // PAGE if total else None
    todo = [p for p in pages if p not in known]

    def fetch(**kw) -> list[dq.DossierRow]:
        if ctl is not None:
            ctl.check()
        return dq.fetch_page(ctx, flt, sort_key, desc, now=now, **kw)

    while todo:
        progressed = False
        for page in list(todo):
            rows = None
            if page == 0:
                rows = fetch(limit=PAGE)
            elif page == last_page and total is not None:
                rows = fetch(from_end=True, limit=total - page * PAGE)
            elif page - 1 in known:
                rows = fetch(after=known[page - 1][1], limit=PAGE)
            elif page + 1 in known:
                rows = fetch(before=known[page + 1][0], limit=PAGE)
            elif 0 < page <= len(marks):
                rows = fetch(after=marks[page - 1], limit=PAGE)
            if rows is None:
                continue
            out[page] = rows
            if rows:
                known[page] = (rows[0].key, rows[-1].key)
            todo.remove(page)
            progressed = True
        if progressed:
            continue
        nearest_end = max(todo)
        if last_page is not None and last_page - nearest_end <= 2 and last_page not in known:
            todo.append(last_page)       # near the end: walk back from it
            continue
        wanted = min(todo)               # bookmarks up to the page before it
        more = dq.bookmarks(ctx, flt, sort_key, desc, every=PAGE, now=now, after=marks[-1] if marks else None,
                            count=wanted - len(marks))
        if not more:
            break                        # the list changed under us; a refresh will follow
        marks = new_marks = marks + more
    return out, new_marks
