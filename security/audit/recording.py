"""The security events (``policy_portal.signals.security_event``) written to the audit trail,
and the events Django and django-axes report, sent on as security events: logins, failed
logins, lockouts, logouts and password changes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from policy_portal.client_ip import client_ip
from policy_portal.signals import SECURITY_EVENT_KINDS, security_event

from .chain import seal_on_commit
from .context import current_request, request_actor


def record_security_event(
    sender, *, kind, user=None, request=None, target=None, detail=None, **kwargs
):
    """The receiver of ``security_event``: one audit record, sealed once it commits."""
    from .records import AuditRecord

    if kind not in SECURITY_EVENT_KINDS:
        raise ValueError(f"unknown security event kind: {kind!r}")
    actor = user if user is not None and getattr(user, "pk", None) else None
    record = AuditRecord.objects.create(
        kind=kind,
        action=kind,
        actor=actor,
        address=client_ip(request) if request is not None else "",
        object_type=target._meta.concrete_model._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail or {},
    )
    seal_on_commit()
    return record


def _logged_in(sender, request, user, **kwargs):
    security_event.send(sender=__name__, kind="login", user=user, request=request, target=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event.send(sender=__name__, kind="logout", user=user, request=request, target=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Django cleanses the password out of the credentials; the name tried is what is kept.
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]
    security_event.send(
        sender=__name__,
        kind="login_failed",
        user=None,
        request=request,
        target=None,
        detail={"username": username},
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event.send(
        sender=__name__,
        kind="lockout",
        user=None,
        request=request,
        target=None,
        detail={"username": str(username or "")[:150], "ip_address": ip_address or ""},
    )


def _password_saved(sender, instance, created, **kwargs):
    # Django's save() tells the password validators of a new password after the row is
    # written (``password_changed``), with the new one still held in ``_password``: the same
    # moment, seen from the model's signal. A new account's first password is no change.
    if (
        created
        or not isinstance(instance, get_user_model())
        or getattr(instance, "_password", None) is None
    ):
        return
    request = current_request()
    security_event.send(
        sender=__name__,
        kind="password_changed",
        user=request_actor(request) if request is not None else None,
        request=request,
        target=instance,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    security_event.connect(record_security_event, dispatch_uid="security.audit")
    user_logged_in.connect(_logged_in, dispatch_uid="security.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="security.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="security.audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="security.audit.lockout")
    # Any sender: an official is saved as a StaffMember, the proxy.
    post_save.connect(_password_saved, dispatch_uid="security.audit.password")
