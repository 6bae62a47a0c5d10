"""The enterprise's pages that join its file (enterprises) with its applications: 可申报政策,
the open tracks matched against the file with what the enterprise already has in each, and
保存到企业档案, an approved application's figures copied into the file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.selectors import (
    application_for_enterprise_user,
    live_applications_by_window_and_track,
)
from enterprises import services as enterprise_services
from enterprises.access import enterprise_required
from enterprises.matching import match_report


@enterprise_required
@require_POST
def file_from_application(request, pk: int):
    """保存到企业档案: an approved application's figures become the file's for its year."""
    application = application_for_enterprise_user(user=request.user, pk=pk)
    try:
        changed = enterprise_services.enterprise_file_save_application(
            application=application, by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        year = application.window.year
        if changed:
            messages.success(
                request,
                _("已将申报数据保存到企业档案的%(year)s年度（%(count)s项）。")
                % {"year": year, "count": changed},
            )
        else:
            messages.info(request, _("企业档案的%(year)s年度已是这些数据。") % {"year": year})
    return redirect("applications:detail", pk=application.pk)


@enterprise_required
@require_GET
def matches(request):
    """可申报政策: every open track against the enterprise's file, printable as its report."""

    report = match_report(enterprise=request.user.enterprise)
    # What the enterprise already has in those windows (a 免申即享 draft included): a link to
    # it rather than a button that would refuse a second one.
    existing = live_applications_by_window_and_track(
        enterprise=request.user.enterprise, windows={m.window.pk for m in report.matches}
    )
    for match in report.matches:
        match.application = existing.get((match.window.pk, match.track.pk))
    return render(request, "enterprises/matches.html", {"report": report})
