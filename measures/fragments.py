"""Pages and parts of pages rendered once and served to many: the one place where the CSRF
token is left out of a cached rendering and put back for each request.

A cached rendering is made without the visitor's request, so that nothing of one visitor (the
login, the CSRF token) can reach an entry every visitor is served. Where the markup holds a
form, it is rendered with a placeholder (``CSRF_TOKEN_HOLE``) as its token, and each request's
own token replaces the placeholder when the rendering is served. Both halves live here and
nowhere else: views call ``cached_page`` (an anonymous visitor's whole page) or
``cached_fragments`` (parts of a signed-in page, inserted into its template with ``|safe``
left out: they come back marked safe).

``cached_fragments(request, "portal-open-windows", {"open_windows": "applications/_open_windows.html"},
lambda moment: {"windows": list(open_windows(moment))}, timed=True)`` renders the template
once per policy version and language (``measures.cache.cached``) and returns
``{"open_windows": <html with this request's token>}``.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .cache import cached

CSRF_TOKEN_HOLE = "csrf-token-hole-5d1b8e"
# base.html's language form returns to the page it is on: a whole page's own address.
FULL_PATH_HOLE = "/full-path-hole-5d1b8e"


class _ShellRequest:
    """Stands in for the request in a cached page: only what base.html asks of it."""

    def get_full_path(self) -> str:
        return FULL_PATH_HOLE


def cached_fragments(
    request,
    name: str,
    templates: dict[str, str],
    context: Callable[[datetime], dict],
    *,
    timed: bool = False,
) -> dict[str, SafeString]:
    """Each of ``templates`` rendered with ``context(moment)``, cached under ``name``, with the
    request's CSRF token put in: ``{key: html}`` for the page's template."""
    renderings = cached(
        f"fragments:{name}",
        lambda moment: _render_all(templates, {**context(moment), "csrf_token": CSRF_TOKEN_HOLE}),
        timed=timed,
    )
    token = get_token(request)
    # The renderings are our templates' output; only the placeholder is replaced.
    return {
        key: mark_safe(html.replace(CSRF_TOKEN_HOLE, token))  # noqa: S308
        for key, html in renderings.items()
    }


def cached_page(
    request, template: str, context: Callable[[], dict], *, name: str, timed: bool
) -> HttpResponse:
    """An anonymous visitor's GET of a page every such visitor sees alike: cached whole, with
    the request's CSRF token and address put in. Anyone signed in, any other method, or a page
    with messages to show is rendered afresh."""
    if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
        return render(request, template, context())
    shell = cached(
        f"page:{name}",
        lambda moment: render_to_string(
            template, {**context(), "csrf_token": CSRF_TOKEN_HOLE, "request": _ShellRequest()}
        ),
        timed=timed,
    )
    html = shell.replace(CSRF_TOKEN_HOLE, get_token(request)).replace(
        FULL_PATH_HOLE, escape(request.get_full_path())
    )
    return HttpResponse(html)


def _render_all(templates: dict[str, str], context: dict) -> dict[str, str]:
    return {key: render_to_string(template, context) for key, template in templates.items()}
