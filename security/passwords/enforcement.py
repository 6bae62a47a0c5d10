"""Whoever signs in with a password someone else set, and an official whose password is older
than ``OFFICIAL_PASSWORD_MAX_AGE_DAYS``, changes it before anything else.

What a sign-in must do is learned once, when it signs in, and kept in its session, so that a
page costs no query more. Changing one's own password clears it; a password set by someone
else ends the holder's other sessions (Django's session hash), so the next sign-in learns it.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from security.audit.context import current_request

from .history import latest_passwords, password_being_saved, set_by

# Session keys: the password was set by someone else; when an official's password expires
# (seconds since the epoch).
INITIAL = "password_initial"
EXPIRES_AT = "password_expires_at"

INITIAL_REASON = "initial"
EXPIRED_REASON = "expired"


def _learn_at_sign_in(sender, request, user, **kwargs):
    """Connected to user_logged_in."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(INITIAL, None)
    session.pop(EXPIRES_AT, None)
    latest = latest_passwords(user, 1)
    if not latest:
        # An account from before the history was kept (the migration starts its clock).
        return
    if latest[0].initial:
        session[INITIAL] = True
    if user.is_staff:
        expires = latest[0].set_at + timedelta(days=settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS)
        session[EXPIRES_AT] = int(expires.timestamp())


def change_required(request) -> str | None:
    """Why the person signed in on ``request`` must change their password first, or None."""
    session = request.session
    if session.get(INITIAL):
        return INITIAL_REASON
    expires_at = session.get(EXPIRES_AT)
    if expires_at is not None and time.time() >= expires_at:
        return EXPIRED_REASON
    return None


def _own_password_saved(sender, instance, created, **kwargs):
    # A person who sets their own password (the change page, the admin's) owes no change more.
    if not password_being_saved(instance):
        return
    actor = set_by(instance)
    if actor is None or actor.pk != instance.pk:
        return
    request = current_request()
    request.session.pop(INITIAL, None)
    if instance.is_staff:
        expires = time.time() + settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS * 86400
        request.session[EXPIRES_AT] = int(expires)


def _password_change_url(request) -> str:
    # Officials change it in their admin, everyone else on the site's account page.
    return reverse("admin:password_change" if request.user.is_staff else "password_change")


# Pages a person who owes a password change may still open (by URL name).
ALLOWED_URL_NAMES = frozenset(
    {
        "password_change",
        "password_change_done",
        "logout",
        "admin:password_change",
        "admin:password_change_done",
        "admin:logout",
        # The idle-session warning on the change page itself.
        "session_keep_alive",
        "session_ended",
        # The second factor comes first (security/gate.py, before this in MIDDLEWARE): the
        # code, and a new official's enrolment and recovery codes.
        "security:verify",
        "security:enrol",
        "security:recovery-codes",
    }
)


class PasswordChangeRequiredMiddleware:
    """Sends whoever owes a password change to the password change page, with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request):
            reason = change_required(request)
            if reason is not None:
                messages.warning(request, _message(reason))
                return redirect(_password_change_url(request))
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in ALLOWED_URL_NAMES


def _message(reason: str) -> str:
    if reason == INITIAL_REASON:
        return _("您正在使用他人设置的初始密码，请先修改密码后再继续使用。")
    return _("您的密码已超过 %(days)d 天未修改，请先修改密码后再继续使用。") % {
        "days": settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS
    }


def connect() -> None:
    user_logged_in.connect(_learn_at_sign_in, dispatch_uid="security.passwords.sign_in")
    post_save.connect(_own_password_saved, dispatch_uid="security.passwords.own_change")
