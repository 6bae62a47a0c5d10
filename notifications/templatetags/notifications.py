"""The unread count shown in the header of the portal and of the admin."""

import re
from urllib.parse import urlsplit

from django import template
from django.template.defaultfilters import linebreaksbr, urlize
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from notifications.emails import site_url
from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """``{% unread_notifications as count %}``: the signed-in user's unread notifications, in
    one query; 0, without a query, for a visitor. A tag rather than a context processor, so that
    only the pages showing the count pay for it."""
    # The request's user: a page's own context may name someone else "user".
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)


# The site's own addresses in a notification's text, e.g. "欢迎对本次服务进行评价： http://…/",
# with the spaces that set them apart from the Chinese around them.
def _own_url_pattern() -> re.Pattern:
    return re.compile(r"\s*(" + re.escape(site_url()) + r"(/[^\s，。；）]*))\s*")


def _link_words(path: str) -> str:
    """What a link to ``path`` is called on the page: the words, never the address."""
    try:
        url_name = resolve(path).view_name
    except Resolver404:
        url_name = ""
    if url_name == "applications:detail":
        return _("查看申报")
    if url_name == "enterprises:profile":
        return _("更正银行账号")
    return _("打开链接")


@register.filter(needs_autoescape=True)
def notification_text(body: str, absolute: bool = False, autoescape: bool = True) -> str:
    """A notification's text as HTML: the site's own addresses become links with words (查看申报),
    relative on the site and absolute in an email (``|notification_text:True``); any other
    address is linked as it is, and lines are kept. The email's plain text keeps the address."""
    body = body or ""
    parts = []
    position = 0
    for match in _own_url_pattern().finditer(body):
        parts.append(urlize(body[position : match.start()], autoescape=autoescape))
        href = match.group(1) if absolute else match.group(2)
        parts.append(
            format_html('<a href="{}">{}</a>', href, _link_words(urlsplit(match.group(2)).path))
        )
        position = match.end()
    parts.append(urlize(body[position:], autoescape=autoescape))
    # Every part is escaped HTML already: urlize's output and format_html's.
    return linebreaksbr(mark_safe("".join(parts)), autoescape=False)  # noqa: S308
