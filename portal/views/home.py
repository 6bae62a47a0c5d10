"""The enterprise's home (its applications) and the start of a new application."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from applications import selectors, services
from applications.errors import ApplicationError
from applications.models import State
from enterprises.access import enterprise_required
from measures.fragments import cached_fragments
from measures.models import ApplicationWindow, Track

from ._shared import report_errors, returned_payments_of

# What the list of an enterprise's applications shows of each.
HOME_COLUMNS = (
    "reference",
    "state",
    "disbursed_on",
    "approved_amount",
    "recommended_amount",
    "calculated_amount",
    "created_at",
    "proposed_at",
    "track__name",
    "track__measure__number",
    "track__measure__title",
    "window__closes_at",
)


@enterprise_required
def home(request):
    applications = list(
        selectors.enterprise_applications(enterprise=request.user.enterprise).only(*HOME_COLUMNS)
    )
    returned = returned_payments_of(applications)
    for application in applications:
        application.payment_returned = returned.get(application.pk)
    return render(
        request,
        "applications/home.html",
        {
            "applications": applications,
            "needs_action": [a for a in applications if a.state == State.RETURNED],
            # The bank returned the money: the account must be corrected before it is paid again.
            "payments_returned": [
                a for a in applications if a.payment_returned and not a.payment_returned.corrected
            ],
        },
    )


class ApplyForm(forms.Form):
    """The window and the track a new draft is started in; anything else is refused."""

    window = forms.ModelChoiceField(queryset=ApplicationWindow.objects.all())
    track = forms.ModelChoiceField(queryset=Track.objects.select_related("measure"))


@enterprise_required
def apply(request):
    """Choose a measure with an open window and a track; POST starts the draft."""
    if request.method == "POST":
        choice = ApplyForm(request.POST)
        if not choice.is_valid():
            messages.error(request, _("请选择申报批次和申报类别。"))
            return redirect("applications:apply")
        window = choice.cleaned_data["window"]
        track = choice.cleaned_data["track"]
        try:
            application = services.application_create(
                enterprise=request.user.enterprise, track=track, window=window, by=request.user
            )
        except ApplicationError as error:
            report_errors(request, error)
            return redirect("applications:apply")
        messages.success(
            request,
            _("已创建申报草稿，尚未提交。申报编号在首次提交时生成；提交前可以随时修改或撤回。"),
        )
        return redirect("applications:figures", pk=application.pk)
    # The open windows are policy data, the same for every enterprise: rendered once per
    # version of the data and language, until a window opens or closes. What is suggested
    # first depends on the enterprise's industry and scale alone, so it is rendered once per
    # such pair, never for one enterprise.
    enterprise = request.user.enterprise
    industry, scale = enterprise.industry, enterprise.scale
    open_windows = cached_fragments(
        request,
        "portal-open-windows-by-section",
        {
            "section_links": "applications/_section_links.html",
            "open_windows": "applications/_open_windows.html",
        },
        lambda moment: {"windows": list(selectors.open_windows(moment))},
        timed=True,
    )
    recommended = cached_fragments(
        request,
        f"portal-recommended:{industry}:{scale}",
        {"recommended": "applications/_recommended.html"},
        lambda moment: {
            "windows": selectors.recommended_windows(industry=industry, scale=scale, moment=moment),
            "industry": enterprise.get_industry_display(),
            "scale": enterprise.get_scale_display(),
        },
        timed=True,
    )
    return render(request, "applications/apply.html", {**open_windows, **recommended})
