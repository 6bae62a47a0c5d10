"""The application list's filters, and the helpers other apps' lists filter with."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import UNPAID_STATES, State
from applications.selectors import states_in_scope, work_queue_states
from enterprises.districts import District
from measures.cache import cached
from measures.models import ApplicationWindow, Measure, Section, Track
from measures.workdays import due_after_workdays


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


def filter_by_known(queryset, lookup: str, value: str | None, known):
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
        return filter_by_known(queryset, "state", self.value(), State.values)


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
    lookup = "district"

    def lookups(self, request, model_admin):
        return District.choices

    def queryset(self, request, queryset):
        return filter_by_known(queryset, self.lookup, self.value(), District.values)


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
