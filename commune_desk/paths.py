"""Where things live: the user's data folder and the shipped resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from commune_desk import APP_NAME

DB_FILENAME = "commune_desk.sqlite3"


def default_data_dir() -> Path:
    env = os.environ.get("COMMUNE_DESK_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs  # here, not at the top: the window's start-up does not need it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def resources_dir() -> Path:
    """The resources/ folder in a source checkout, inside the wheel, or inside a frozen build."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    here = Path(__file__).resolve().parent
    checkout = here.parent / "resources"
    if checkout.is_dir():
        return checkout
    return here / "_resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
