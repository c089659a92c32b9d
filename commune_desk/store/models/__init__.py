"""All tables. Each area owns one module; importing this package registers them all."""

from commune_desk.store.base import Base
from commune_desk.store.models.audit import *  # noqa: F403
from commune_desk.store.models.calendar import CalendarDay
from commune_desk.store.models.catalog import Procedure
from commune_desk.store.models.changelog import ChangeLog
from commune_desk.store.models.core import Office, Setting, User
from commune_desk.store.models.dossier import Dossier, DossierEvent, IntakeDraft, Rating, SequenceCounter
from commune_desk.store.models.sync import *  # noqa: F403
from commune_desk.store.models.training import *  # noqa: F403

__all__ = [
    "Base", "CalendarDay", "ChangeLog", "Dossier", "DossierEvent", "IntakeDraft", "Office",
    "Procedure", "Rating", "SequenceCounter", "Setting", "User",
]
