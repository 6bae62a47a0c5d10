"""The public pages of 公示: no login, and nothing of an enterprise beyond its name."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .challenges import VISITOR_COOKIE, challenge_new, new_visitor, visitor_of
from .errors import PublicityError
from .forms import ObjectionForm


def _objection_rate(group, request):
    return settings.OBJECTION_RATE


@require_GET
def publicity_list(request):
    return render(
        request, "publicity/list.html", {"publicities": list(selectors.public_publicities())}
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="objection", key="ip", rate=_objection_rate, method="POST")
def publicity_detail(request, pk: int):
    publicity = selectors.public_publicity(pk)
    if publicity is None:
        raise Http404
    entries = selectors.public_entries(publicity)
    is_open = publicity.is_open_for_objections()
    visitor = visitor_of(request.COOKIES)
    form = None
    if is_open:
        form = ObjectionForm(request.POST or None, entries=entries, visitor=visitor)
        if request.method == "POST" and form.is_valid():
            try:
                services.objection_lodge(
                    publicity=publicity,
                    entry_id=form.cleaned_data["entry"],
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    text=form.cleaned_data["text"],
                )
            except PublicityError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("异议已提交，我们将在核实后处理。"))
                return redirect("publicity:detail", pk=publicity.pk)
    elif request.method == "POST":
        messages.error(request, _("不在公示期内，不能提出异议。"))
        return redirect("publicity:detail", pk=publicity.pk)
    context = {"publicity": publicity, "entries": entries, "form": form, "is_open": is_open}
    if form is None:
        return render(request, "publicity/detail.html", context)
    # Every form shown asks a new question, of this browser.
    new = visitor is None
    if new:
        visitor = new_visitor()
    context["question"], context["challenge"] = challenge_new(visitor=visitor)
    response = render(request, "publicity/detail.html", context)
    if new:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
