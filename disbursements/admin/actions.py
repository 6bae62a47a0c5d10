"""Finance's action and filter on the officials' application list: which approved applications
are free, and putting the chosen ones into a batch."""

import itertools
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.errors import ApplicationError
from measures.money import format_yuan_exact
from policy_portal import roles
from reviews.admin import ApplicationAdmin

from .. import permissions, services
from ..forms import AddToBatchForm
from ..models import LineStatus
from .helpers import _batch_url, _NothingAdded, _report_outcomes

SAMPLE_ROWS = 20


def _chosen_token(ids, user) -> str:
    """The applications a person was shown on the confirmation page, for the page to carry
    back: signed, and small however many (sorted ids as their gaps, compressed)."""
    ids = sorted(ids)
    gaps = [b - a for a, b in zip([0, *ids], ids, strict=False)]
    return signing.dumps(gaps, salt=f"add-to-batch:{user.pk}", compress=True)


def _chosen_ids(token: str, user) -> set[int]:
    try:
        gaps = signing.loads(token or "", salt=f"add-to-batch:{user.pk}", max_age=86400)
    except signing.BadSignature:
        return set()
    if not isinstance(gaps, list) or not all(isinstance(gap, int) for gap in gaps):
        return set()
    return set(itertools.accumulate(gaps))


@admin.action(description=_("加入拨付批次"))
def add_to_disbursement_batch(modeladmin, request, queryset):
    """From the approved applications: into a new batch or one's own draft, reported one by
    one. "Select all" carries the list's filters, not thousands of ids, to the next page."""
    if not permissions.may_prepare(None, request.user):
        raise PermissionDenied
    apply = "apply" in request.POST
    form = AddToBatchForm(request.POST if apply else None, user=request.user)
    if apply and form.is_valid():
        # The list's filters choose again now. Whatever was shown and no longer matches (taken
        # into another batch meanwhile, say) is added too, so that each is named with the
        # reason it cannot join rather than silently left out.
        shown = _chosen_ids(request.POST.get("chosen"), request.user)
        lost = shown - set(queryset.values_list("pk", flat=True))
        applications = modeladmin.get_queryset(request).filter(
            Q(pk__in=queryset.values("pk")) | Q(pk__in=lost)
        )
        batch = form.cleaned_data["batch"]
        try:
            with transaction.atomic():
                batch = batch or services.batch_create(
                    by=request.user, note=form.cleaned_data["note"]
                )
                outcomes = services.batch_add_applications(
                    batch=batch, applications=applications, by=request.user
                )
                if form.cleaned_data["batch"] is None and not any(o.added for o in outcomes):
                    raise _NothingAdded  # no empty batch is left behind
        except _NothingAdded:
            _report_outcomes(modeladmin, request, batch, outcomes)
            modeladmin.message_user(
                request, gettext("没有可加入的申报，未新建拨付批次。"), messages.WARNING
            )
            return None
        except (ApplicationError, PermissionDenied) as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        _report_outcomes(modeladmin, request, batch, outcomes)
        return HttpResponseRedirect(_batch_url(batch))
    # What will join and what will not, and why, before anything is confirmed: the same
    # conditions the addition applies (a chosen draft's own window or measure aside).
    preview = services.batch_addition_preview(applications=queryset)
    joining = [o for o in preview if o.added]
    refused = [o for o in preview if not o.added]
    chosen = [o.application_id for o in preview]
    select_across = request.POST.get("select_across") == "1"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("加入拨付批次"),
        "opts": modeladmin.opts,
        "form": form,
        "chosen_count": len(preview),
        "joining_count": len(joining),
        "joining_total": format_yuan_exact(sum((o.amount for o in joining), Decimal(0))),
        "joining": joining[:SAMPLE_ROWS],
        "refused_count": len(refused),
        "refused": refused[:SAMPLE_ROWS],
        "sample_rows": SAMPLE_ROWS,
        "select_across": select_across,
        "first_id": chosen[0] if chosen else None,
        "ids": [] if select_across else chosen,
        "chosen": _chosen_token(chosen, request.user),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/disbursements/add_to_batch.html", context)


class InBatchFilter(admin.SimpleListFilter):
    """Finance's question when building a batch: which approved applications are still free."""

    title = _("拨付批次")
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        if not permissions.can_view_batches(request.user):
            return []
        return [("none", _("未加入拨付批次")), ("live", _("已在拨付批次中"))]

    def queryset(self, request, queryset):
        live = {"disbursement_lines__status": LineStatus.IN_BATCH}
        if self.value() == "none":
            return queryset.exclude(**live)
        if self.value() == "live":
            return queryset.filter(**live)
        return queryset


# The officials' application list offers finance this action and filter beside the reviewers'.
ApplicationAdmin.actions = [*ApplicationAdmin.actions, add_to_disbursement_batch]
ApplicationAdmin.list_filter = [*ApplicationAdmin.list_filter, InBatchFilter]
ApplicationAdmin.role_actions = {
    **ApplicationAdmin.role_actions,
    roles.FINANCE: {"add_to_disbursement_batch"},
}
