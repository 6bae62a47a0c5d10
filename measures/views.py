from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .cache import cached
from .calculator import quote
from .forms import declared_form_class
from .fragments import cached_page
from .guide import measure_guide
from .selectors import measure_get, sections_with_measures, track_choices, track_for_calculator


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
    return cached_page(
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
    return cached_page(
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

    return cached_page(
        request,
        "measures/calculator.html",
        context,
        name=f"calculator:{selected_pk or ''}",
        timed=False,
    )
