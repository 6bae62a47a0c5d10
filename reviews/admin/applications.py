"""The officials' workplace: applications scoped to each reviewer, and their reviews."""

import re

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.admin_mixins import ApplicationRecordAdminMixin
from applications.models import CLOSED_STATES, Application, State
from applications.selectors import applications_in_scope, scope_spans_districts
from enterprises.models import Enterprise
from measures.amount_columns import amount_display
from policy_portal import roles
from policy_portal.admin_mixins import ReadableAmountsMixin, ReadOnlyAdminMixin

from ..models import Review
from .actions import BulkDecisionsMixin
from .decisions import DecisionPagesMixin
from .filters import (
    DistrictFilter,
    DueFilter,
    MeasureFilter,
    PaymentLimitFilter,
    StateFilter,
    TrackFilter,
    WindowFilter,
    WorkQueueFilter,
)

REFERENCE_PATTERN = re.compile(r"CQJX-\d{4}-\d{2}-\d{6}")
CREDIT_CODE_PATTERN = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")

# What the changelist's cells (ApplicationAdmin.list_display) and its rows' labels read.
LIST_RELATED = ("enterprise", "track__measure")
LIST_COLUMNS = (
    "reference",
    "created_at",
    "district",
    "state",
    "calculated_amount",
    "recommended_amount",
    "approved_amount",
    "submitted_at",
    "due_at",
    "payment_due_at",
    "enterprise__name",
    "track__name",
    "track__measure__number",
)


def _due_date(moment) -> str:
    # Digits and hyphens only, so safe as they are: format_html on every row of 50 is not free.
    return mark_safe(f'<span class="due-date">{timezone.localtime(moment):%Y-%m-%d}</span>')  # noqa: S308


class WorklistChangeList(ChangeList):
    """Sorting by the due date ties as the default order does, newest submission first, so
    that both read off the same indexes rather than sorting every row in scope."""

    def get_results(self, request):
        # The page's rows are read with the columns its cells show only: building 50 rows of
        # every column of five tables cost more than rendering them. The changelist's own
        # queryset (and what actions are given) stays whole.
        queryset = self.queryset
        self.queryset = (
            queryset.select_related(None).select_related(*LIST_RELATED).only(*LIST_COLUMNS)
        )
        try:
            super().get_results(request)
        finally:
            self.queryset = queryset

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if "due_at" in ordering and "-submitted_at" not in ordering:
            ordering.insert(ordering.index("due_at") + 1, "-submitted_at")
        return ordering


@admin.register(Application)
class ApplicationAdmin(
    DecisionPagesMixin,
    BulkDecisionsMixin,
    ReadOnlyAdminMixin,
    ReadableAmountsMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/reviews/application/change_form.html"
    change_list_template = "admin/reviews/application/change_list.html"
    list_display = [
        "reference_or_draft",
        "enterprise_name",
        "district",
        "measure_and_track",
        "state",
        "calculated",
        "recommended",
        "approved",
        "submitted_at",
        "due",
    ]
    list_filter = [
        WorkQueueFilter,
        StateFilter,
        DueFilter,
        PaymentLimitFilter,
        DistrictFilter,
        MeasureFilter,
        TrackFilter,
        WindowFilter,
    ]
    list_select_related = ["enterprise", "track__measure", "window"]
    search_fields = ["reference", "enterprise__name", "enterprise__credit_code"]
    search_help_text = _("按申报编号、企业名称或统一社会信用代码查找")
    ordering = [F("due_at").asc(nulls_last=True), "-submitted_at"]
    sortable_by = ["reference_or_draft", "submitted_at", "due", "state"]
    list_per_page = 50
    show_full_result_count = False
    # Counting every choice of every filter at 100,000 applications is not worth its queries.
    show_facets = admin.ShowFacets.NEVER
    # Related rows as text: a link would lead reviewers to admin pages outside their scope.
    fields = [
        "reference_or_draft",
        "enterprise_name",
        "district",
        "measure_and_track",
        "window_name",
        "state",
        "calculated_amount",
        "recommended_amount",
        "approved_amount",
        "submitted_at",
        "due_at",
        "payment_due",
    ]
    readonly_fields = fields
    readable_amounts = {
        "calculated_amount": "calculated_exact",
        "recommended_amount": "recommended_exact",
        "approved_amount": "approved_exact",
    }
    actions = [
        "district_approve",
        "district_return",
        "district_reject",
        "municipal_approve",
        "municipal_return",
        "municipal_reject",
    ]

    # ── scope ──────────────────────────────────────────────────────────────────────────────

    def get_changelist(self, request, **kwargs):
        return WorklistChangeList

    def get_list_display(self, request):
        """The columns that matter for the role, so that the list fits a 1280 px screen: one
        district's reviewer needs no district column, and the approved amount is decided after
        them; finance pays the approved amount, not the calculated or recommended ones."""
        columns = list(super().get_list_display(request))
        user = request.user

        def holds(*held) -> bool:
            return user.is_superuser or any(roles.user_has_role(user, role) for role in held)

        if not scope_spans_districts(user=user):
            columns.remove("district")
        if not holds(roles.ADMINISTRATOR, roles.MUNICIPAL_REVIEWER, roles.FINANCE):
            columns.remove("approved")
        if not holds(roles.ADMINISTRATOR, roles.DISTRICT_REVIEWER, roles.MUNICIPAL_REVIEWER):
            columns.remove("calculated")
            columns.remove("recommended")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not scope_spans_districts(user=request.user):
            # One district's reviewer: a district filter could only repeat the scope.
            filters.remove(DistrictFilter)
        return filters

    def get_queryset(self, request):
        return applications_in_scope(user=request.user).select_related(
            "enterprise", "track__measure", "window"
        )

    def get_search_results(self, request, queryset, search_term):
        """A reference or a credit code is looked up exactly, on its unique index; anything else
        is part of an enterprise's name, matched on the (far smaller) enterprise table first."""
        term = search_term.strip()
        if not term:
            return queryset, False
        upper = term.upper()
        if REFERENCE_PATTERN.fullmatch(upper):
            return queryset.filter(reference=upper), False
        if CREDIT_CODE_PATTERN.fullmatch(upper):
            return queryset.filter(enterprise__credit_code=upper), False
        return queryset.filter(
            enterprise__in=Enterprise.objects.filter(name__icontains=term)
        ), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        if application is None:
            # Out of scope and nonexistent look the same: no hint that the id exists.
            raise Http404
        return super().change_view(
            request,
            object_id,
            form_url,
            {**(extra_context or {}), **self._context(request, application)},
        )

    # ── columns ────────────────────────────────────────────────────────────────────────────

    @admin.display(description=_("申报编号"), ordering="reference")
    def reference_or_draft(self, application):
        # A draft has no reference until it is first submitted (administrators see drafts);
        # its longer label may wrap where a reference stays on one line.
        if not application.reference:
            return format_html('<span class="draft-label">{}</span>', application.reference_label)
        return application.reference_label

    @admin.display(description=_("企业"), ordering="enterprise__name")
    def enterprise_name(self, application):
        return application.enterprise.name

    @admin.display(description=_("措施与类别"))
    def measure_and_track(self, application):
        return format_html(
            gettext("第{}条 {}"), application.track.measure.number, application.track.name
        )

    @admin.display(description=_("拨付时限"))
    def payment_due(self, application):
        """The time limit to payment, unless the application was closed without payment."""
        if application.payment_due_at is None:
            return "—"
        if application.state in CLOSED_STATES:
            return gettext("不予拨付（%(state)s）") % {"state": application.get_state_display()}
        return _due_date(application.payment_due_at)

    @admin.display(description=_("申报批次"))
    def window_name(self, application):
        return application.window.name

    calculated = amount_display("calculated_amount", _("测算金额"))
    recommended = amount_display("recommended_amount", _("推荐金额"))
    approved = amount_display("approved_amount", _("核定金额"))
    calculated_exact = amount_display("calculated_amount", _("测算金额"), exact=True)
    recommended_exact = amount_display("recommended_amount", _("推荐金额"), exact=True)
    approved_exact = amount_display("approved_amount", _("核定金额"), exact=True)

    @admin.display(description=_("办理期限"), ordering="due_at")
    def due(self, application):
        """The current stage's due date; for an approved application, finance's, the time
        limit to payment. A marker says when the time limit to payment is past."""
        past_limit = application.is_past_payment_limit
        # The date never breaks at its hyphens; the markers may go below it on a narrow list.
        if application.due_at is not None:
            text = _due_date(application.due_at)
            if application.is_overdue:
                text = format_html(
                    '<strong class="overdue">{} <span class="due-tag">{}</span></strong>',
                    text,
                    gettext("已逾期"),
                )
        elif application.state == State.APPROVED and application.payment_due_at is not None:
            text = _due_date(application.payment_due_at)
        else:
            text = "—"
        if past_limit:
            return format_html(
                '{} <strong class="overdue payment-limit-past" title="{}">{}</strong>',
                text,
                gettext("已超过申报批次规定的拨付时限"),
                gettext("超期"),
            )
        return text


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ApplicationRecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "stage",
        "decision",
        "amount_yuan",
        "reviewer",
        "comment_public",
    ]
    list_filter = ["stage", "decision"]
    list_select_related = ["application", "reviewer"]
    search_fields = ["=application__reference"]
