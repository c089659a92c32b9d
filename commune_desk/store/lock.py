"""One copy of the application per data folder."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from commune_desk.errors import DatabaseInUse
from commune_desk.i18n import _


class DataFolderLock:
    """An OS-level lock on ``<data>/.lock``, released when the process ends (even on a crash)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / ".lock"
        # not thread-local: the window opens the database on a worker thread and closes it on
        # the UI thread; a thread-local lock would not be released there
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False)

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise DatabaseInUse(
                _("Một bản commune_desk khác đang mở thư mục dữ liệu {folder}. "
                  "Hãy đóng bản đó trước (hoặc chờ nó chạy xong).").format(folder=self.path.parent)
            ) from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> DataFolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
