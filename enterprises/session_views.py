"""The two requests of the officials' idle-session warning (static/js/idle_warning.js): the
keep-alive its 继续使用 button sends, and the page it opens once the session has ended."""

import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .sessions import LAST_SEEN


@never_cache
@require_POST
def keep_alive(request):
    """An official still at work: the idle time starts again. The answer says how long the
    session now lasts without a request; 401 when it has already ended."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    if not user.is_staff:
        return JsonResponse({"signed_in": True}, status=403)
    request.session[LAST_SEEN] = int(time.time())
    return JsonResponse({"signed_in": True, "remaining": settings.OFFICIAL_IDLE_SECONDS})


@never_cache
@require_GET
def ended(request):
    """Where the warning sends a page whose session ran out: the login page (the admin's for an
    admin page) with the reason, coming back to the page after logging in. A session that is
    still alive (a request from another window kept it) goes straight back to the page."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or reverse("admin:index"))
    messages.info(request, _("您因长时间无操作已退出，请重新登录。"))
    admin_page = next_url.startswith(reverse("admin:index"))
    login_url = reverse("admin:login") if admin_page else resolve_url(settings.LOGIN_URL)
    query = urlencode({"next": next_url}) if next_url else ""
    return HttpResponseRedirect(f"{login_url}?{query}" if query else login_url)
