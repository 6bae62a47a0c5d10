"""One application's pages (figures, review, detail) and the enterprise's transitions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import proposals, selectors, services
from applications.errors import ApplicationError
from applications.forms import CommentForm
from applications.models import State
from applications.provenance import declared_figures
from enterprises.access import enterprise_required
from measures.forms import declared_form_class

from ._shared import editable_or_detail, report_errors, returned_payments_of


@enterprise_required
def figures(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := editable_or_detail(request, application)) is not None:
        return response
    form_class = declared_form_class(application.track)
    if request.method == "POST":
        form = form_class(data=request.POST)
        if form.is_valid():
            try:
                services.application_update_declared(
                    application=application, by=request.user, declared=form.declared()
                )
            except ApplicationError as error:
                report_errors(request, error)
            else:
                messages.success(request, _("申报数据已保存。"))
                return redirect("applications:documents", pk=application.pk)
    else:
        form = form_class(initial=application.declared)
    return render(
        request,
        "applications/figures.html",
        {"application": application, "form": form, "step": "figures"},
    )


@enterprise_required
def review(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := editable_or_detail(request, application)) is not None:
        return response
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "quote": application.quote(),
            "problems": application.submission_problems(
                require_open_window=application.state == State.DRAFT
            ),
            "figures": _figures(application),
            "comment_form": CommentForm(),
            "step": "review",
        },
    )


def _figures(application) -> list[tuple]:
    return declared_figures(application, application.track.fields.all())


@enterprise_required
def detail(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "figures": _figures(application),
            "timeline": selectors.application_timeline(application=application),
            "payment_limit": application.payment_limit(),
            "payment_returned": returned_payments_of([application]).get(application.pk),
        },
    )


def _transition_view(service, success_message):
    @enterprise_required
    @require_POST
    def view(request, pk: int):
        application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
        form = CommentForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            service(application=application, by=request.user, comment=comment)
        except ApplicationError as error:
            report_errors(request, error)
            target = "applications:review" if application.is_editable else "applications:detail"
            return redirect(target, pk=application.pk)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("applications:detail", pk=application.pk)
        messages.success(request, success_message())
        return redirect("applications:detail", pk=application.pk)

    return view


submit = _transition_view(services.application_submit, lambda: _("申报已提交，等待区县审核。"))


resubmit = _transition_view(
    services.application_resubmit, lambda: _("申报已重新提交，等待区县审核。")
)


withdraw = _transition_view(services.application_withdraw, lambda: _("申报已撤回。"))


# 免申即享: the enterprise confirms, in one click, the draft the site prepared from its file.
confirm = _transition_view(
    lambda *, application, by, comment: proposals.proposal_confirm(application=application, by=by),
    lambda: _("已确认申报，等待区县审核。"),
)
