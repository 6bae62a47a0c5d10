"""The gate of the second factor: after the password, whoever must give a code (every official;
an enterprise that enrolled) reaches nothing but the second factor's pages, the login page,
logout and the language switch until they have given it. The site's pages, the admin (its
login included) and the API alike: the gate stands before every view.

It comes after django-otp's ``OTPMiddleware``, which tells from the session whether this
session gave a code (``request.user.is_verified()``), and after the officials' idle timeout,
so that an idle official is signed out rather than asked for a code.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .second_factor import is_enrolled, needs_second_factor

# Set at sign-in for a person not bound to give a code by their role: whether they enrolled.
# Read from the session, so that an enterprise's pages cost no query for it.
REQUIRED_SESSION_KEY = "second_factor_required"

OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "admin:logout",
        "security:verify",
        "security:enrol",
        "security:recovery-codes",
        # The idle-session warning's keep-alive and the page it leaves for.
        "session_keep_alive",
        "session_ended",
    }
)


def second_factor_required(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return needs_second_factor(user) or bool(request.session.get(REQUIRED_SESSION_KEY))


def remember_enrolment(sender, request, user, **kwargs):
    """Connected to ``user_logged_in``: an enterprise that enrolled gives its code too."""
    if request is None or not hasattr(request, "session"):
        return
    if needs_second_factor(user):
        return
    request.session[REQUIRED_SESSION_KEY] = is_enrolled(user)


def _open(path: str) -> bool:
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in OPEN_VIEWS


class SecondFactorGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            second_factor_required(request)
            and not request.user.is_verified()
            and not _open(request.path_info)
        ):
            enrolled = is_enrolled(request.user)
            if enrolled or needs_second_factor(request.user):
                return self._refuse(request, enrolled=enrolled)
            # An enterprise whose device was reset since it signed in: the password again.
            request.session.pop(REQUIRED_SESSION_KEY, None)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, *, enrolled: bool):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("请先完成第二因素验证。")}, status=403)
        page = "security:verify" if enrolled else "security:enrol"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


def connect() -> None:
    user_logged_in.connect(remember_enrolment, dispatch_uid="security.second_factor.enrolment")
