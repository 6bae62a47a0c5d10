from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from .cache import cached
from .calculator import quote
from .forms import declared_form_class
from .guide import measure_guide
from .selectors import measure_get, sections_with_measures, track_choices, track_for_calculator

# What is cached is rendered without the visitor's request, so that nothing of the visitor (the
# login, the CSRF token) can reach an entry that every visitor is served. An anonymous
# visitor's whole page is cached with holes where the request's own values go: the CSRF token
# of the language form and the address it returns to.
CSRF_TOKEN_HOLE = "csrf-token-hole-5d1b8e"
FULL_PATH_HOLE = "/full-path-hole-5d1b8e"


class _ShellRequest:
    """Stands in for the request in a cached page: only what base.html asks of it."""

    def get_full_path(self) -> str:
        return FULL_PATH_HOLE


def _render_page(request, template: str, context: Callable[[], dict], *, name: str, timed: bool):
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


def _catalogue_content() -> dict:
    content = cached(
        "catalogue",
        lambda moment: render_to_string(
            "measures/_catalogue.html", {"sections": sections_with_measures(moment=moment)}
        ),
        timed=True,
    )
    return {"content": content}


def catalogue(request):
    return _render_page(
        request, "measures/catalogue.html", _catalogue_content, name="catalogue", timed=True
    )


def _measure_page(number: int, moment) -> dict | None:
    measure = measure_get(number=number, moment=moment)
    if measure is None:
        return None
    return {
        "title": str(measure),
        "content": render_to_string(
            "measures/_measure_page.html", {"measure": measure, "guide": measure_guide(measure)}
        ),
    }


def measure_detail(request, number: int):
    page = cached(f"measure:{number}", lambda moment: _measure_page(number, moment), timed=True)
    if page is None:
        raise Http404(_("没有这条措施。"))
    return _render_page(
        request, "measures/measure_detail.html", lambda: page, name=f"measure:{number}", timed=True
    )


def _selected_track(track_id: str):
    # Only a track's own id, as the picker sends it, names a track (and a cache entry).
    if not (track_id.isascii() and track_id.isdigit() and len(track_id) <= 18):
        return None
    if track_id != str(int(track_id)):
        return None
    pk = int(track_id)
    return cached(
        f"calculator-track:{pk}",
        lambda moment: track_for_calculator(pk=pk),
        per_language=False,
    )


def calculator(request):
    """政策计算器: pick a track (GET ?track=<id>), enter the figures, see the quote (POST)."""
    track_id = request.POST.get("track") or request.GET.get("track")
    selected = _selected_track(track_id) if track_id else None
    selected_pk = selected.pk if selected is not None else None

    def context() -> dict:
        picker = cached(
            f"calculator-picker:{selected_pk or ''}",
            lambda moment: render_to_string(
                "measures/_track_picker.html",
                {"tracks": list(track_choices()), "selected_pk": selected_pk},
            ),
        )
        form = result = None
        if selected is not None:
            form_class = declared_form_class(selected)
            if request.method == "POST":
                form = form_class(data=request.POST)
                if form.is_valid():
                    result = quote(selected, form.declared())
            else:
                form = form_class()
        return {"picker": picker, "selected": selected, "form": form, "result": result}

    return _render_page(
        request,
        "measures/calculator.html",
        context,
        name=f"calculator:{selected_pk or ''}",
        timed=False,
    )
