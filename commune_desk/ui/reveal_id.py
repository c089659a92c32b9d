"""Showing a citizen's full ID number on demand: the masked number gets a "Hiện đầy đủ" link
for the roles that may see it; a click asks the service (which checks the role again and
writes the audit entry) off the UI thread, and the number shows in place."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QFormLayout, QLabel

from commune_desk.domain.roles import Perm, allowed
from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import privacy
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task, show_error


def attach_reveal(form: QFormLayout, row: int, ctx: Ctx, dossier_id: uuid.UUID, masked: str) -> QLabel | None:
    """Turn the value label of ``row`` in ``form`` into masked number + link. Returns the label."""
    item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
    label = item.widget() if item is not None else None
    if not isinstance(label, QLabel) or not masked or not allowed(ctx.actor.role, Perm.VIEW_FULL_ID):
        return None
    label.setObjectName("id_number")
    label.setText(f"{masked} &nbsp;<a href='reveal'>{_('Hiện đầy đủ')}</a>")
    label.setToolTip(_("Xem số định danh đầy đủ (việc xem được ghi vào nhật ký)"))

    def shown(number: str) -> None:
        label.setText(number or "—")
        label.setToolTip("")

    def failed(exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            label.setToolTip(str(exc))
        else:
            show_error(label, exc)

    def reveal(_link: str) -> None:
        run_task(lambda _ctl: privacy.reveal_id_number(ctx, dossier_id), on_success=shown, on_failure=failed,
                 parent=label)

    label.linkActivated.connect(reveal)
    return label
