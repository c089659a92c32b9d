"""Preview of exactly the PDF that will be printed, with Print, Save as… and Close.

    PdfPreviewDialog(pdf_path, parent).exec()   # or .show()

The view shows the file itself (QtPdf), all pages, so what the clerk sees is what the
printer gets: printing renders the same pages of the same file. Rendering for the printer
and copying the file run off the UI thread (``run_task``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSize, QSizeF, Qt
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import personal_exports
from commune_desk.services.context import Ctx
from commune_desk.ui.personal_data import confirm_plain_export
from commune_desk.ui.tasks import run_task

PRINT_DPI = 300  # plenty for text and the QR code; keeps a page image under 10 MB


def render_to_printer(pdf_path: Path, printer: QPrinter) -> int:
    """Paint every page of ``pdf_path`` onto ``printer`` (worker thread; QPainter may paint a
    QPrinter outside the GUI thread). Pages print at actual size, shrunk only if the paper is
    smaller. Returns the number of pages printed."""
    document = QPdfDocument(None)  # a document of this thread, not the view's
    if document.load(str(pdf_path)) != QPdfDocument.Error.None_:
        raise KnownError(_("Không mở được tệp PDF: {path}").format(path=pdf_path))
    painter = QPainter()
    if not painter.begin(printer):
        raise KnownError(_("Không in được: máy in không sẵn sàng."))
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        device_per_point = printer.resolution() / 72.0
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            scale = min(1.0, paper.width() / (points.width() * device_per_point),
                        paper.height() / (points.height() * device_per_point))
            target_w = round(points.width() * device_per_point * scale)
            target_h = round(points.height() * device_per_point * scale)
            image = document.render(page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72)))
            x = paper.x() + (paper.width() - target_w) // 2
            painter.drawImage(QRect(x, paper.y(), target_w, target_h), image)
        return document.pageCount()
    finally:
        painter.end()
        document.close()


class PdfPreviewDialog(QDialog):
    """Shows ``pdf_path`` page after page; Print (Ctrl+P), Save as… (Ctrl+Shift+S), Close (Esc)."""

    def __init__(self, pdf_path: str | Path, parent: QWidget | None = None, *, title: str | None = None,
                 ctx: Ctx | None = None) -> None:
        super().__init__(parent)
        self.pdf_path = Path(pdf_path)
        self.ctx = ctx  # a saved copy is audited in its name
        self.setWindowTitle(title or _("Xem trước bản in — {name}").format(name=self.pdf_path.name))
        self.resize(760, 720)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setDocument(self.document)
        self.info = QLabel()
        self.zoom = QComboBox()
        for label, mode in ((_("Cả trang"), QPdfView.ZoomMode.FitInView),
                            (_("Vừa chiều rộng"), QPdfView.ZoomMode.FitToWidth),
                            (_("Cỡ thật (100%)"), QPdfView.ZoomMode.Custom)):
            self.zoom.addItem(label, mode)
        self.zoom.currentIndexChanged.connect(self._zoom_changed)

        self.print_button = QPushButton(_("In…"))
        self.print_button.setDefault(True)
        self.print_button.setToolTip(_("In đúng tệp đang xem (Ctrl+P)"))
        self.save_button = QPushButton(_("Lưu thành tệp…"))
        self.close_button = QPushButton(_("Đóng"))
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_document)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=self.save_as)

        buttons = QHBoxLayout()
        buttons.addWidget(self.zoom)
        buttons.addWidget(self.info, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.load()

    def load(self) -> None:
        error = self.document.load(str(self.pdf_path))
        if error != QPdfDocument.Error.None_:
            self.info.setText(_("Không mở được tệp PDF: {path}").format(path=self.pdf_path))
            self.print_button.setEnabled(False)
            return
        size = self.document.pagePointSize(0)
        self.info.setText(_("{pages} trang · {paper} · {path}").format(
            pages=self.document.pageCount(), paper=paper_name(size), path=self.pdf_path))

    def _zoom_changed(self) -> None:
        mode = self.zoom.currentData()
        self.view.setZoomMode(mode)
        if mode == QPdfView.ZoomMode.Custom:
            self.view.setZoomFactor(1.0)

    def page_count(self) -> int:
        return self.document.pageCount()

    # -- printing ----------------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        """A printer set to the PDF's own paper size and orientation, no driver margins."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        points = self.document.pagePointSize(0)
        # QPageSize is always portrait: a landscape page (the tracking book, certificates)
        # is the portrait size turned, or it would print rotated and shrunk.
        landscape = points.width() > points.height()
        short, long_ = sorted((points.width(), points.height()))
        size = QPageSize(QSizeF(short, long_), QPageSize.Unit.Point, paper_name(points),
                         QPageSize.SizeMatchPolicy.FuzzyMatch)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
        printer.setFullPage(True)
        printer.setDocName(self.pdf_path.stem)
        return printer

    def print_document(self) -> None:
        if self.document.pageCount() == 0:
            return
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("In {name}").format(name=self.pdf_path.name))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter, on_done: Callable[[int], None] | None = None) -> None:
        """Render the file onto an already configured printer, off the UI thread."""
        self._printer = printer  # kept alive until the job ends
        self.print_button.setEnabled(False)
        path = self.pdf_path

        def done(pages: int) -> None:
            self.info.setText(_("Đã gửi {pages} trang tới máy in.").format(pages=pages))
            if on_done:
                on_done(pages)

        run_task(lambda _ctl: render_to_printer(path, printer), on_success=done,
                 on_finished=lambda: self.print_button.setEnabled(True), parent=self,
                 progress=_("Đang in…"), cancellable=False, database=False)

    # -- saving a copy -----------------------------------------------------------------
    def save_as(self) -> None:
        target, _filter = QFileDialog.getSaveFileName(self, _("Lưu bản PDF"), str(Path.home() / self.pdf_path.name),
                                                      _("Tệp PDF (*.pdf)"))
        # a form names the citizen (or the official): the same question as every clear export
        if target and confirm_plain_export(self, personal_exports.FORM_PDF, target):
            self.save_to(Path(target))

    def save_to(self, target: Path, on_done: Callable[[Path], None] | None = None) -> None:
        from commune_desk.services import documents  # ReportLab with it: loaded when first needed

        source, ctx = self.pdf_path, self.ctx

        def done(path: Path) -> None:
            self.info.setText(_("Đã lưu: {path}").format(path=path))
            if on_done:
                on_done(path)

        run_task(lambda _ctl: documents.save_pdf_copy(ctx, source, target), on_success=done, parent=self,
                 database=ctx is not None)


def paper_name(points: QSizeF) -> str:
    """'A5', 'A4' or the size in millimetres."""
    w, h = sorted((points.width(), points.height()))
    for name, (pw, ph) in {"A5": (419.5, 595.3), "A4": (595.3, 841.9), "A3": (841.9, 1190.6)}.items():
        if abs(w - pw) < 3 and abs(h - ph) < 3:
            return name
    return f"{w / 72 * 25.4:.0f}×{h / 72 * 25.4:.0f} mm"


def show_pdf(pdf_path: str | Path, parent: QWidget | None = None, *, title: str | None = None,
             ctx: Ctx | None = None) -> PdfPreviewDialog:
    """Open the preview without blocking (the usual call after a PDF task finished)."""
    dialog = PdfPreviewDialog(pdf_path, parent, title=title, ctx=ctx)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
