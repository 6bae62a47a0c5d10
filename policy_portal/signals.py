"""What a room reports for the security audit, received by the room that keeps the audit.

Any module may send it, since it lives in the room below every app::

    security_event.send(
        sender=__name__,
        kind="download",  # one of SECURITY_EVENT_KINDS
        user=request.user,  # who, or None
        request=request,  # where from (the client's address is read from it), or None
        target=document,  # the object concerned, or None
        detail={"name": "营业执照.pdf"},  # anything else worth keeping, JSON-serialisable
    )
"""

from django.dispatch import Signal

SECURITY_EVENT_KINDS = (
    "login",
    "login_failed",
    "lockout",
    "logout",
    "password_changed",
    "otp_enrolled",
    "otp_recovery_used",
    "otp_failed",
    "otp_reset",
    "superuser_login",
    "permission_denied",
    "export",
    "download",
    "unmasked",
    "anonymise",
    "department_api",
)

security_event = Signal()
