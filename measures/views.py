from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .calculator import quote
from .forms import declared_form_class
from .selectors import measure_get, sections_with_measures, track_choices


def catalogue(request):
    return render(request, "measures/catalogue.html", {"sections": sections_with_measures()})


def measure_detail(request, number: int):
    measure = measure_get(number=number)
    if measure is None:
        raise Http404(_("没有这条措施。"))
    return render(request, "measures/measure_detail.html", {"measure": measure})


def calculator(request):
    """政策计算器: pick a track (GET ?track=<id>), enter the figures, see the quote (POST)."""
    tracks = list(track_choices())
    selected = None
    track_id = request.POST.get("track") or request.GET.get("track")
    if track_id:
        selected = next((t for t in tracks if str(t.pk) == track_id), None)
    form = result = None
    if selected is not None:
        form_class = declared_form_class(selected)
        if request.method == "POST":
            form = form_class(data=request.POST)
            if form.is_valid():
                result = quote(selected, form.declared())
        else:
            form = form_class()
    return render(
        request,
        "measures/calculator.html",
        {"tracks": tracks, "selected": selected, "form": form, "result": result},
    )
