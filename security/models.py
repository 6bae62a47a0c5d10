"""The audit trail's models: the records (``security.audit.records``) and the event model
pghistory keeps for each tracked model (``security.audit.tracked``), defined here."""

from .audit.records import ACTION_LABELS, CHANGE, KIND_LABELS, AuditRecord
from .audit.tracked import create_event_models

__all__ = ["ACTION_LABELS", "CHANGE", "KIND_LABELS", "AuditRecord"]

# MeasureEvent, TrackEvent, UserEvent…: one a tracked model, as security.models.<name>.
create_event_models()
