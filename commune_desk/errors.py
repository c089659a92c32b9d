"""Errors split as qutebrowser does: the user's or the environment's fault (shown as a
plain translated message, exit code 1) versus our bugs (crash report)."""


class KnownError(Exception):
    """A problem the user can act on: bad input, a locked database, a full disk.

    The message is already translated and is shown as is, on one line.
    """


class ValidationError(KnownError):
    """Bad input. ``field`` names the form field (or row) so the UI can put the message
    next to it; ``errors`` may carry several (field, message) pairs."""

    def __init__(self, message: str, *, field: str | None = None,
                 errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors or ([(field, message)] if field else [])


class PermissionDenied(KnownError):
    """The current user's role may not do this (checked in the services, not only in the UI)."""


class DatabaseInUse(KnownError):
    """Another copy of the application has this data folder open."""


class NotFound(KnownError):
    """A record the user named does not exist."""
