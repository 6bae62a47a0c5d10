"""The security app: the audit trail's recording and chain, the backup and restore commands,
the password policy, the second factor of signing in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("安全")

    def ready(self):
        from django.db import connection

        from . import gate
        from .audit import fallback, recording, tasks  # noqa: F401 (beat's task)
        from .passwords import enforcement, history

        recording.connect()
        history.connect()
        enforcement.connect()
        gate.connect()
        if connection.vendor != "postgresql":
            # No triggers there: the ORM's writes are recorded from its signals.
            fallback.connect()
