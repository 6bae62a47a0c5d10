"""Superusers are for the installation (三员分立): the daily work is shared by the system, the
security and the audit administrators, each with their own role, and nobody signs in as the
account that holds every permission.

The authentication backend below stands between django-axes and Django's ModelBackend
(settings' AUTHENTICATION_BACKENDS), so the site's login, the admin's and any other password
sign-in pass it. It looks at superusers only: a superuser's right password is refused unless
ALLOW_SUPERUSER_LOGIN is set; either way the attempt is a security event of kind
``superuser_login`` in the audit trail, and an allowed one is alarmed: logged as critical on
the ``security`` logger and mailed to ADMINS. ``createsuperuser`` and the shell are untouched:
they do not sign in.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.core.mail import mail_admins

from policy_portal.client_ip import client_ip
from policy_portal.signals import security_event

logger = logging.getLogger("security")


def superuser_login_allowed() -> bool:
    return bool(getattr(settings, "ALLOW_SUPERUSER_LOGIN", False))


class SuperuserGateBackend(BaseBackend):
    """Passes on everyone but a superuser (ModelBackend, next, signs them in). A superuser's
    password is checked here, once: a wrong one, or a right one where ALLOW_SUPERUSER_LOGIN is
    off, stops the sign-in; a right one where it is on signs in here, alarmed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        UserModel = get_user_model()
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = UserModel._default_manager.filter(
            **{UserModel.USERNAME_FIELD: username}, is_superuser=True, is_active=True
        ).first()
        if user is None:
            return None
        if not user.check_password(password):
            # Stopped here, so that a superuser's name costs no second hashing (and shows no
            # difference in time) in ModelBackend.
            raise PermissionDenied
        allowed = superuser_login_allowed()
        security_event.send(
            sender=__name__,
            kind="superuser_login",
            user=user,
            request=request,
            target=user,
            detail={"allowed": allowed},
        )
        address = client_ip(request) if request is not None else ""
        if not allowed:
            logger.warning(
                "superuser %s refused a sign-in from %s: superusers are for the installation "
                "(ALLOW_SUPERUSER_LOGIN is off)",
                _account(user),
                address or "-",
            )
            # Django stops at this backend, reports a failed login (the audit keeps it, axes
            # counts it) and the form says no more than for a wrong password.
            raise PermissionDenied
        _alarm(user, address)
        return user

    def get_user(self, user_id):
        # The session of a superuser signed in here.
        return ModelBackend().get_user(user_id)


def _account(user) -> str:
    """The account as the alarm names it to the people who read it: by the person's name
    (``User.display_name``) and the login, e.g. 张敏（root）; the login alone for an account
    without a name."""
    login = user.get_username()
    name = user.display_name
    return login if name == login else f"{name}（{login}）"


def _alarm(user, address: str) -> None:
    account = _account(user)
    message = (
        f"Superuser {account} signed in from {address or '-'}. Superusers are for "
        "the installation; unset ALLOW_SUPERUSER_LOGIN once it is done."
    )
    logger.critical(message)
    mail_admins(f"Superuser sign-in: {account}", message, fail_silently=True)
