"""The window: PySide6 widgets over the services. Nothing here writes SQL."""

from commune_desk.ui.signal_fix import install as _install_signal_fix

_install_signal_fix()  # before any widget emits (PySide6 6.12.0 loses a reference per emit)
