"""The audit trail's models: the records (``security.audit.records``) and the event model
pghistory keeps for each tracked model (``security.audit.tracked``), defined here; and each
account's recent passwords (``security.passwords.history``)."""

from .audit.records import ACTION_LABELS, CHANGE, KIND_LABELS, AuditRecord
from .audit.tracked import create_event_models
from .passwords.history import PasswordHistory

__all__ = ["ACTION_LABELS", "CHANGE", "KIND_LABELS", "AuditRecord", "PasswordHistory"]

# MeasureEvent, TrackEvent, UserEvent…: one a tracked model, as security.models.<name>.
create_event_models()
