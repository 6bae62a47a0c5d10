"""The enterprise's rating of a paid or rejected application: HTTP only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import selectors as application_selectors
from enterprises.access import enterprise_required

from . import services
from .errors import RatingError
from .forms import RatingForm


@enterprise_required
@require_POST
def rate(request, pk: int):
    # Another enterprise's application is a 404, like every portal page of one.
    application = application_selectors.application_for_enterprise_user(user=request.user, pk=pk)
    target = redirect("applications:detail", pk=application.pk)
    target["Location"] += "#rating"
    form = RatingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return target
    try:
        services.rating_create(
            application=application,
            by=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except RatingError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("感谢您的评价！"))
    return target
