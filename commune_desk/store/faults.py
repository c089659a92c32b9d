"""Faults of the machine rather than of the program: a full disk, a damaged file.

A full disk shows as SQLite's SQLITE_FULL ("database or disk is full") or as an OSError
with ENOSPC from a file copy; both become one plain message, and the transaction that hit
it rolls back whole (nothing half-written)."""

from __future__ import annotations

import errno
import sqlite3

from commune_desk.i18n import _

SQLITE_FULL = 13


def is_disk_full(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 5:  # SQLAlchemy wraps the driver's error in .orig
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == SQLITE_FULL) or "disk is full" in str(exc):
                return True
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1
    return False


def disk_full_message() -> str:
    return _("Ổ đĩa đã đầy: không ghi được dữ liệu. Thao tác vừa rồi chưa được lưu; dữ liệu đã lưu trước đó "
             "không bị ảnh hưởng. Hãy giải phóng dung lượng ổ đĩa rồi thử lại.")
