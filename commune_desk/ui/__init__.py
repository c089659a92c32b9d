"""The window: PySide6 widgets over the services. Nothing here writes SQL."""
