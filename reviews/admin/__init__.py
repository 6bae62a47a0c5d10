"""The officials' workplace: applications scoped to each reviewer, decisions, budgets."""

import re
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from applications.errors import ApplicationError
from applications.models import (
    CLOSED_STATES,
    UNPAID_STATES,
    Application,
    State,
    TransitionLog,
    transition_label,
)
from applications.permissions import may_take
from applications.selectors import (
    applications_in_scope,
    scope_spans_districts,
    states_in_scope,
    window_committed_amount,
    work_queue_states,
)
from enterprises import roles
from enterprises.districts import District
from enterprises.models import Enterprise
from enterprises.roles import person_label
from measures.admin import ApplicationWindowAdmin, OpenNowFilter
from measures.cache import cached
from measures.models import ApplicationWindow, Measure, Section, Track
from measures.money import format_budget_left, format_yuan, format_yuan_exact
from measures.workdays import due_after_workdays
from policy_portal.admin_mixins import ReadableAmountsMixin, ReadOnlyAdminMixin, amount_display

from ..forms import BulkDecisionForm, DecisionForm
from ..models import Review
from ..services import DECISIONS, review_decide, reviews_decide_many, suggested_amount

REFERENCE_PATTERN = re.compile(r"CQJX-\d{4}-\d{2}-\d{6}")
CREDIT_CODE_PATTERN = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


class WorkQueueFilter(admin.SimpleListFilter):
    """By default a reviewer sees what awaits them; "全部" shows everything in their scope."""

    title = _("办理范围")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", _("我的全部申报"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("待我办理"),
        }
        yield {
            "selected": self.value() == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": _("我的全部申报"),
        }

    def queryset(self, request, queryset):
        if self.value() == "all" or "state__exact" in request.GET:
            return queryset
        states = work_queue_states(user=request.user)
        return queryset.filter(state__in=states) if states else queryset


def _filtered(queryset, lookup: str, value: str | None, known):
    """``queryset`` narrowed to ``value`` of a list of ``known`` ones; any other is the admin's
    "wrong filter" redirect, not a 500."""
    if not value:
        return queryset
    if value not in known:
        raise IncorrectLookupParameters(value)
    return queryset.filter(**{lookup: value})


class StateFilter(admin.SimpleListFilter):
    """The states an application in the user's scope can be in: drafts are the enterprises'
    own, and finance sees approved and paid applications only."""

    title = _("状态")
    parameter_name = "state__exact"

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in states_in_scope(user=request.user)]

    def queryset(self, request, queryset):
        return _filtered(queryset, "state", self.value(), State.values)


class DueFilter(admin.SimpleListFilter):
    title = _("办理期限")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("已逾期")), ("soon", _("3个工作日内到期"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(due_at__lt=now)
        if self.value() == "soon":
            return queryset.filter(due_at__gte=now, due_at__lte=due_after_workdays(now, 3))
        return queryset


class PaymentLimitFilter(admin.SimpleListFilter):
    """The window's time limit from submission to payment, for what is not paid yet."""

    title = _("拨付时限")
    parameter_name = "limit"
    # Working days ahead that "due soon" looks.
    SOON_DAYS = 7

    def lookups(self, request, model_admin):
        return [("past", _("超期")), ("soon", _("7个工作日内到期"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        now = timezone.now()
        unpaid = queryset.filter(state__in=UNPAID_STATES)
        if value == "past":
            return unpaid.filter(payment_due_at__lt=now)
        if value == "soon":
            return unpaid.filter(
                payment_due_at__gte=now,
                payment_due_at__lte=due_after_workdays(now, self.SOON_DAYS),
            )
        raise IncorrectLookupParameters(value)


class _SelectFilter(admin.SimpleListFilter):
    """A filter of many choices shown as one drop-down in a GET form that keeps the list's
    other filters, rather than a list of links as long as the choices (each with its own
    query string to build)."""

    template = "admin/reviews/select_filter.html"

    def choices(self, changelist):
        current = self.value()
        # The list's other parameters ride along as hidden fields: choosing narrows the list
        # as it is, and starts again at its first page.
        hidden = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield {"value": "", "selected": not current, "display": _("全部"), "hidden": hidden}
        for value, label in self.lookup_choices:
            yield {"value": value, "selected": current == str(value), "display": label}


class _ChoicesFilter(_SelectFilter):
    """A filter on a foreign key whose choices come from one query with their joins, rather
    than one query per choice for its label."""

    lookup = ""

    def choice_rows(self):
        """(pk, label) pairs; each subclass reads its own."""
        return ()

    def lookups(self, request, model_admin):
        # Policy data: read once per version of it and language (measures.cache).
        return cached(
            f"admin-filter:{self.parameter_name}",
            lambda moment: [(str(pk), str(label)) for pk, label in self.choice_rows()],
        )

    def queryset(self, request, queryset):
        if self.value():
            if not self.value().isdigit():
                # The admin answers this with its "wrong filter" redirect, not a 500.
                raise IncorrectLookupParameters(self.value())
            return queryset.filter(**{self.lookup: self.value()})
        return queryset


class DistrictFilter(_SelectFilter):
    title = _("所在区县")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return District.choices

    def queryset(self, request, queryset):
        return _filtered(queryset, "district", self.value(), District.values)


class MeasureFilter(_ChoicesFilter):
    title = _("措施")
    parameter_name = "measure"
    lookup = "track__measure"

    def choice_rows(self):
        return [(m.pk, str(m)) for m in Measure.objects.filter(kind=Measure.Kind.FUNDING)]


class TrackFilter(_ChoicesFilter):
    title = _("申报类别")
    parameter_name = "track"
    lookup = "track"

    def choice_rows(self):
        return [(t.pk, str(t)) for t in Track.objects.select_related("measure")]


class WindowFilter(_ChoicesFilter):
    title = _("申报批次")
    parameter_name = "window"
    lookup = "window"

    def choice_rows(self):
        return [
            (w.pk, str(w))
            for w in ApplicationWindow.objects.select_related("measure").order_by("-opens_at")
        ]


class WindowMeasureFilter(MeasureFilter):
    lookup = "measure"


class WindowSectionFilter(_ChoicesFilter):
    title = _("章节")
    parameter_name = "section"
    lookup = "measure__section"

    def choice_rows(self):
        return [(section.pk, str(section)) for section in Section.objects.all()]


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


def _decided_already(application, transition: str) -> str:
    """Why ``application`` cannot take ``transition`` now: the last step taken on it, by whom
    and when, and the state it left."""
    values = {
        "reference": application.reference_label,
        "state": application.get_state_display(),
        "transition": transition_label(transition),
    }
    last = (
        TransitionLog.objects.filter(application=application)
        .select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return gettext("%(reference)s 当前为“%(state)s”，不能%(transition)s。") % values
    return gettext(
        "%(reference)s 已于%(when)s由%(person)s%(action)s，当前为“%(state)s”，不能%(transition)s。"
    ) % {
        **values,
        "when": timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M"),
        "person": person_label(last.actor) if last.actor else gettext("系统"),
        "action": last.action_label,
    }


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
class ApplicationAdmin(ReadOnlyAdminMixin, ReadableAmountsMixin, admin.ModelAdmin):
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

    # ── the change page ────────────────────────────────────────────────────────────────────

    def _context(self, request, application) -> dict:
        track = application.track
        fields = list(track.fields.all())
        transitions = [
            {"name": t.name, "label": transition_label(t.name)}
            for t in application.get_available_user_state_transitions(request.user)
            if t.name in DECISIONS
        ]
        window = application.window
        return {
            "application": application,
            "figures": [(f, application.declared.get(f.name)) for f in fields],
            "quote": application.quote(),
            "documents": application.documents.all(),
            "timeline": TransitionLog.objects.filter(application=application)
            .select_related("actor")
            .prefetch_related("actor__groups"),
            "reviews": Review.objects.filter(application=application)
            .select_related("reviewer")
            .prefetch_related("reviewer__groups"),
            "transitions": transitions,
            "budget_remaining": window.total_budget - window_committed_amount(window),
            "payment_limit": application.payment_limit(),
            "closed_without_payment": application.state in CLOSED_STATES,
        }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/<str:transition>/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, transition):
        application = self.get_object(request, unquote(object_id))
        if application is None or transition not in DECISIONS:
            raise Http404
        method = getattr(application, transition)
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        if not can_proceed(method, check_conditions=False):
            # No form for a decision the application cannot take now (another reviewer took
            # one meanwhile): back to it, saying who did what, when.
            self.message_user(request, _decided_already(application, transition), messages.WARNING)
            return HttpResponseRedirect(change_url)
        if not may_take(method, request.user):
            raise PermissionDenied
        initial = {"amount": suggested_amount(application, transition), "comment_public": True}
        form = DecisionForm(request.POST or None, transition=transition, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                review_decide(
                    application=application,
                    by=request.user,
                    transition=transition,
                    comment=form.cleaned_data["comment"],
                    comment_public=form.cleaned_data["comment_public"],
                    amount=form.cleaned_data.get("amount"),
                )
            except ApplicationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    gettext("%(reference)s：%(action)s。")
                    % {"reference": application.reference, "action": transition_label(transition)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            **self._context(request, application),
            "title": f"{application.reference} · {transition_label(transition)}",
            "opts": self.opts,
            "form": form,
            "transition_label": transition_label(transition),
            "change_url": change_url,
            "sets_amount": DECISIONS[transition].sets_amount,
            # The municipal reviewer decides with the district's recommendation beside the amount.
            "shows_recommendation": transition == "municipal_approve",
        }
        return TemplateResponse(request, "admin/reviews/application/decide.html", context)

    # ── bulk decisions ─────────────────────────────────────────────────────────────────────

    # The actions each role is offered; other apps add theirs (finance: disbursements).
    role_actions = {
        roles.DISTRICT_REVIEWER: {"district_approve", "district_return", "district_reject"},
        roles.MUNICIPAL_REVIEWER: {"municipal_approve", "municipal_return", "municipal_reject"},
    }

    def get_actions(self, request):
        actions = super().get_actions(request)
        allowed = set()
        for role, names in self.role_actions.items():
            if roles.user_has_role(request.user, role):
                allowed |= names
        return {name: action for name, action in actions.items() if name in allowed}

    def _bulk(self, request, queryset, transition):
        form = BulkDecisionForm(
            request.POST if "apply" in request.POST else None, transition=transition
        )
        if "apply" in request.POST and form.is_valid():
            outcomes = reviews_decide_many(
                applications=list(queryset),
                by=request.user,
                transition=transition,
                comment=form.cleaned_data["comment"],
                comment_public=form.cleaned_data["comment_public"],
            )
            done = [o.application.reference for o in outcomes if o.review is not None]
            if done:
                self.message_user(
                    request,
                    gettext("%(action)s成功 %(count)d 件：%(refs)s")
                    % {
                        "action": transition_label(transition),
                        "count": len(done),
                        "refs": "、".join(done),
                    },
                    messages.SUCCESS,
                )
            for outcome in outcomes:
                if outcome.review is None:
                    self.message_user(
                        request,
                        gettext("%(reference)s 未办理：%(problem)s")
                        % {"reference": outcome.application.reference, "problem": outcome.problem},
                        messages.ERROR,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("批量%(action)s") % {"action": transition_label(transition)},
            "opts": self.opts,
            "form": form,
            "applications": queryset,
            "action": transition,
            "action_label": transition_label(transition),
            "sets_amount": DECISIONS[transition].sets_amount,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviews/application/bulk_decide.html", context)

    @admin.action(description=_("区县审核通过（按测算金额推荐）"))
    def district_approve(self, request, queryset):
        return self._bulk(request, queryset, "district_approve")

    @admin.action(description=_("区县退回修改"))
    def district_return(self, request, queryset):
        return self._bulk(request, queryset, "district_return")

    @admin.action(description=_("区县审核不通过"))
    def district_reject(self, request, queryset):
        return self._bulk(request, queryset, "district_reject")

    @admin.action(description=_("市级审核通过（按推荐金额核定）"))
    def municipal_approve(self, request, queryset):
        return self._bulk(request, queryset, "municipal_approve")

    @admin.action(description=_("市级退回修改"))
    def municipal_return(self, request, queryset):
        return self._bulk(request, queryset, "municipal_return")

    @admin.action(description=_("市级审核不通过"))
    def municipal_reject(self, request, queryset):
        return self._bulk(request, queryset, "municipal_reject")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ReadableAmountsMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "stage",
        "decision",
        "amount_yuan",
        "reviewer",
        "comment_public",
    ]
    readable_amounts = {"amount": "amount_exact"}
    list_filter = ["stage", "decision"]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["application", "reviewer"]
    search_fields = ["=application__reference"]

    amount_yuan = amount_display("amount", _("金额"))
    amount_exact = amount_display("amount", _("金额"), exact=True)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(application__in=applications_in_scope(user=request.user))
        )


admin.site.unregister(ApplicationWindow)


@admin.register(ApplicationWindow)
class BudgetWindowAdmin(ApplicationWindowAdmin):
    """Windows with their budgets: approved amounts are reserved against the total."""

    list_display = [
        *ApplicationWindowAdmin.list_display,
        "approved_yuan",
        "disbursed_yuan",
        "remaining_yuan",
    ]
    list_filter = [OpenNowFilter, "year", WindowSectionFilter, WindowMeasureFilter]
    show_facets = admin.ShowFacets.NEVER
    actions = ["prepare_proposals"]

    @admin.action(description=_("准备免申即享申报"), permissions=["change"])
    def prepare_proposals(self, request, queryset):
        """For each window, drafts prepared from the enterprises' files, for them to confirm
        (applications.proposals), in the worker; the runs list shows the progress."""
        from applications.proposals import proposal_run_start

        runs = [proposal_run_start(window=window, by=request.user) for window in queryset]
        self.message_user(
            request,
            gettext("已开始为 %(count)s 个批次准备免申即享申报，进度见“免申即享准备”。")
            % {"count": len(runs)},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        # The kept totals, one row per window, joined for the rows shown only: the page's
        # counts and the year filter read the windows alone.
        return super().get_queryset(request).select_related("totals", *self.list_select_related)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class BudgetForm(form):
            def clean_total_budget(self):
                budget = self.cleaned_data["total_budget"]
                if self.instance.pk is not None:
                    committed = window_committed_amount(self.instance)
                    if budget is not None and budget < committed:
                        raise ValidationError(
                            gettext("预算不能低于已批准和已拨付的合计%(amount)s。")
                            % {"amount": format_yuan_exact(committed)}
                        )
                return budget

        return BudgetForm

    @staticmethod
    def _kept(window) -> tuple[Decimal, Decimal]:
        # A window without totals has had nothing approved yet.
        totals = getattr(window, "totals", None)
        if totals is None:
            return Decimal("0"), Decimal("0")
        return totals.approved_amount, totals.disbursed_amount

    @admin.display(description=_("已批准待拨付"), ordering="totals__approved_amount")
    def approved_yuan(self, window):
        return format_yuan(self._kept(window)[0])

    @admin.display(description=_("已拨付"), ordering="totals__disbursed_amount")
    def disbursed_yuan(self, window):
        return format_yuan(self._kept(window)[1])

    @admin.display(description=_("剩余预算"))
    def remaining_yuan(self, window):
        return format_budget_left(window.total_budget - sum(self._kept(window)))
