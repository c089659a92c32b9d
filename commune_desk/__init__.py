"""commune_desk — the one-stop desk of a Vietnamese commune, offline first."""

__version__ = "0.1.0"
APP_NAME = "commune_desk"
