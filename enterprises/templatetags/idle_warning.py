"""{% idle_warning %}: on an official's page, the script that warns before the session ends
idle (static/js/idle_warning.js), told everything by data attributes (the content security
policy allows no inline script)."""

import time

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ..sessions import LAST_SEEN

register = template.Library()


@register.simple_tag(takes_context=True)
def idle_warning(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return ""
    limit = settings.OFFICIAL_IDLE_SECONDS
    warning = min(settings.OFFICIAL_IDLE_WARNING_SECONDS, limit)
    now = int(time.time())
    # Counted from the session's own last-seen time, as the middleware counts.
    remaining = max(0, limit - (now - request.session.get(LAST_SEEN, now)))
    text = _("您已 %(idle)d 分钟无操作，%(left)d 分钟后将自动退出。") % {
        "idle": (limit - warning) // 60,
        "left": warning // 60,
    }
    ended = reverse("session_ended") + "?" + urlencode({"next": request.get_full_path()})
    return format_html(
        '<script src="{}" defer data-idle-warning data-idle-remaining="{}"'
        ' data-idle-warning-seconds="{}" data-keep-alive-url="{}" data-ended-url="{}"'
        ' data-csrf-token="{}" data-text="{}" data-continue="{}"></script>',
        static("js/idle_warning.js"),
        remaining,
        warning,
        reverse("session_keep_alive"),
        ended,
        get_token(request),
        text,
        _("继续使用"),
    )
