"""How long a session lasts: officials' end when the browser closes and after 30 minutes idle;
enterprises' last a working day."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in

LAST_SEEN = "last_seen"
# How stale the last-seen time may get before it is written again: a write per request would
# save the session on every page an official opens, for a limit counted in minutes.
LAST_SEEN_RESOLUTION = 60


def set_session_policy(sender, request, user, **kwargs):
    """Connected to user_logged_in."""
    if user.is_staff:
        request.session.set_expiry(0)  # a cookie that ends with the browser
        request.session[LAST_SEEN] = int(time.time())
    else:
        request.session.set_expiry(settings.ENTERPRISE_SESSION_SECONDS)


class OfficialIdleTimeoutMiddleware:
    """Logs an official out after OFFICIAL_IDLE_SECONDS without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.OFFICIAL_IDLE_SECONDS:
                logout(request)
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def connect() -> None:
    user_logged_in.connect(set_session_policy, dispatch_uid="enterprises.session_policy")
