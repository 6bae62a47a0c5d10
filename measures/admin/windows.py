"""Application windows in the admin."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.amount_columns import amount_display
from policy_portal.admin_mixins import ReadableAmountsMixin

from ..models import ApplicationWindow


class OpenNowFilter(admin.SimpleListFilter):
    title = _("当前是否开放")
    parameter_name = "open_now"

    def lookups(self, request, model_admin):
        return (("yes", _("开放中")), ("no", _("未开放")))

    def queryset(self, request, queryset):
        now = timezone.now()
        is_open = Q(opens_at__lte=now, closes_at__gt=now)
        if self.value() == "yes":
            return queryset.filter(is_open)
        if self.value() == "no":
            return queryset.exclude(is_open)
        return queryset


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(ReadableAmountsMixin, admin.ModelAdmin):
    # The form's model validation runs ApplicationWindow.clean(): the track belongs to the
    # measure, the measure takes applications, and the window closes after it opens.
    # Measure and track in one column, the period in another: the budget figures the
    # administrator needs stay on a 1280 px screen.
    list_display = (
        "name",
        "measure_and_track",
        "year",
        "period",
        "open_now",
        "total_budget_yuan",
    )
    list_display_links = ("name",)
    list_filter = (OpenNowFilter, "year", "measure__section", "measure")
    list_select_related = ("measure", "track", "track__measure")
    search_fields = ("name", "measure__title", "track__name")
    autocomplete_fields = ("measure", "track")
    readable_amounts = {"total_budget": "total_budget_exact"}
    fields = (
        "measure",
        "track",
        "year",
        "name",
        ("opens_at", "closes_at"),
        "total_budget",
        ("district_review_days", "municipal_review_days"),
        "processing_days",
    )

    @admin.display(description=_("措施与类别"), ordering="measure__number")
    def measure_and_track(self, window: ApplicationWindow) -> str:
        measure = _("第%(number)s条") % {"number": window.measure.number}
        return f"{measure} {window.track.name}" if window.track_id else str(window.measure)

    @admin.display(description=_("申报时间"), ordering="opens_at")
    def period(self, window: ApplicationWindow) -> str:
        opens = timezone.localtime(window.opens_at)
        closes = timezone.localtime(window.closes_at)
        return f"{opens:%Y-%m-%d %H:%M} — {closes:%Y-%m-%d %H:%M}"

    total_budget_yuan = amount_display("total_budget", _("预算总额"))
    total_budget_exact = amount_display("total_budget", _("预算总额"), exact=True)

    @admin.display(description=_("开放中"), boolean=True)
    def open_now(self, window: ApplicationWindow) -> bool:
        return window.is_open()
