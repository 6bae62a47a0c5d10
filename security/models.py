"""The security app's models: the audit trail's records (``security.audit.records``), the
event model pghistory keeps for each tracked model (``security.audit.tracked``), defined here,
each account's recent passwords (``security.passwords.history``), and the proxy that carries
the permission to reset a person's second factor."""

from django.utils.translation import gettext_lazy as _

from enterprises.models import User

from .audit.records import ACTION_LABELS, CHANGE, KIND_LABELS, AuditRecord
from .audit.tracked import create_event_models
from .passwords.history import PasswordHistory

__all__ = [
    "ACTION_LABELS",
    "CHANGE",
    "KIND_LABELS",
    "AuditRecord",
    "PasswordHistory",
    "SecondFactorAccount",
]

# MeasureEvent, TrackEvent, UserEvent…: one a tracked model, as security.models.<name>.
create_event_models()


class SecondFactorAccount(User):
    """A person as the security administrator sees them for the second factor: whether they
    enrolled, and the reset that makes them enrol again. A proxy, for its permission."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("第二因素")
        default_permissions = ()
        permissions = [("reset_second_factor", _("重置第二因素"))]
