"""The reports area's page (filled by that area's work)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from commune_desk.services.context import Ctx


def create_page(ctx: Ctx, window) -> QWidget:  # noqa: ARG001
    page = QWidget()
    QVBoxLayout(page).addWidget(QLabel("reports"))
    return page
