"""Form helpers: a field with its error message right under it, shown from a ValidationError."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from commune_desk.errors import ValidationError

ERROR_STYLE = "color: #b00020;"


class FieldErrors:
    """Error labels keyed by field name, placed under their fields in a QFormLayout."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}

    def add_row(self, form: QFormLayout, label: str | QLabel, widget: QWidget, field: str) -> QLabel:
        """Add ``widget`` to ``form`` with an (initially hidden) error label for ``field``."""
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        error = self.label_for(field)
        layout.addWidget(error)
        form.addRow(label, box)
        return error

    def label_for(self, field: str) -> QLabel:
        if field not in self.labels:
            error = QLabel()
            error.setObjectName(f"error_{field}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.labels[field] = error
        return self.labels[field]

    def clear(self) -> None:
        for label in self.labels.values():
            label.clear()
            label.hide()

    def show(self, errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Show each (field, message); returns those without a label of their own."""
        self.clear()
        unplaced = []
        for field, message in errors:
            label = self.labels.get(field or "")
            if label is None:
                unplaced.append((field, message))
                continue
            text = message[:1].upper() + message[1:]
            label.setText(f"{label.text()}\n{text}" if label.text() else text)
            label.show()
        return unplaced

    def show_exception(self, exc: ValidationError) -> list[tuple[str, str]]:
        return self.show(exc.errors or [(exc.field or "", str(exc))])

    def text(self, field: str) -> str:
        label = self.labels.get(field)
        return label.text() if label is not None and not label.isHidden() else ""
