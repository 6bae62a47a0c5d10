"""The notice's data in the admin: measures, tracks with their rules, and application windows."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enterprises import roles
from enterprises.industries import CLASSIFICATION
from enterprises.models import Enterprise
from enterprises.recognitions import Recognition
from policy_portal.admin_mixins import ReadableAmountsMixin, ReadOnlyAdminMixin, amount_display

from ..models import (
    ApplicationWindow,
    CalendarDay,
    Division,
    EligibilityThreshold,
    Measure,
    PolicyDocument,
    Section,
    Track,
    TrackField,
)

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def _change_link(obj, text) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown for orientation; the rows are edited on their own pages."""

    extra = 0
    can_delete = False


def _audience_field(choices, label) -> forms.MultipleChoiceField:
    """Whom a section or measure addresses, ticked among the enterprise profile's choices."""
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class SectionForm(forms.ModelForm):
    industries = _audience_field(Enterprise.Industry.choices, _("面向行业"))
    scales = _audience_field(Enterprise.Scale.choices, _("面向规模"))

    class Meta:
        model = Section
        fields = ("document", "number", "title", "industries", "scales")


class MeasureForm(forms.ModelForm):
    industries = _audience_field(Enterprise.Industry.choices, _("面向行业"))

    class Meta:
        model = Measure
        fields = ("section", "number", "title", "text", "kind", "division", "industries")


class LinesField(forms.CharField):
    """A list of texts, one a line: the conditions an enterprise must confirm."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _industry_code_choices():
    """门类 and their 大类, grouped as the enterprise profile offers them."""
    return [
        (
            f"{letter} {name}",
            [(letter, _("%(letter)s 整个门类") % {"letter": letter})]
            + [(code, f"{code} {label}") for code, label in divisions],
        )
        for letter, name, divisions in CLASSIFICATION
    ]


class TrackForm(forms.ModelForm):
    recognitions = forms.MultipleChoiceField(
        label=_("所需认定（任一）"),
        choices=Recognition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Track._meta.get_field("recognitions").help_text,
    )
    industry_codes = forms.MultipleChoiceField(
        label=_("行业要求（国民经济行业分类）"),
        choices=_industry_code_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=Track._meta.get_field("industry_codes").help_text,
    )
    confirmations = LinesField(
        label=_("须企业确认的条件"),
        required=False,
        help_text=Track._meta.get_field("confirmations").help_text,
    )

    class Meta:
        model = Track
        fields = ("recognitions", "industry_codes", "industry_text", "confirmations")


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("number", "title")


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ("document_number", "title", "issuer", "issued_on")
    search_fields = ("document_number", "title")
    inlines = [SectionInline]


class SectionMeasureInline(_ReadOnlyInline):
    model = Measure
    fields = ("measure_link", "kind", "division")
    readonly_fields = fields
    verbose_name_plural = _("本章节的政策措施")

    @admin.display(description=_("政策措施"))
    def measure_link(self, measure: Measure) -> str:
        return _change_link(measure, measure)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionForm
    list_display = ("__str__", "document", "measure_count")
    list_filter = ("document",)
    list_select_related = ("document",)
    inlines = [SectionMeasureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(measure_count=Count("measures"))

    @admin.display(description=_("措施数"), ordering="measure_count")
    def measure_count(self, section: Section) -> int:
        return section.measure_count


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    # The code is the key policy.toml names a division by: on its page, not in the list.
    list_display = ("name", "contact_phone", "measure_numbers")
    search_fields = ("name", "code")
    fieldsets = (
        (None, {"fields": ("code", "name")}),
        (
            _("咨询方式"),
            {
                "fields": ("contact_phone", "contact_address", "office_hours"),
                "description": _("在本处室主管措施的申兑指南中公布；留空时显示“联系方式待公布”。"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("measures")

    @admin.display(description=_("主管条款"))
    def measure_numbers(self, division: Division) -> str:
        return "、".join(f"第{m.number}条" for m in division.measures.all())


class MeasureTrackInline(_ReadOnlyInline):
    model = Track
    fields = ("track_link", "code", "award_kind", "rate", "floor", "cap", "cap_period", "is_active")
    readonly_fields = fields
    ordering = ("order", "pk")

    @admin.display(description=_("申报类别"))
    def track_link(self, track: Track) -> str:
        return _change_link(track, track.name)


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = MeasureForm
    list_display = ("number", "title", "section", "kind", "division", "track_count")
    list_display_links = ("number", "title")
    list_filter = ("kind", "section", "division")
    list_select_related = ("section", "division")
    search_fields = ("=number", "title", "text")
    ordering = ("number",)
    inlines = [MeasureTrackInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(track_count=Count("tracks"))

    @admin.display(description=_("申报类别数"), ordering="track_count")
    def track_count(self, measure: Measure) -> int:
        return measure.track_count

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Programmes take no applications, so a window's measure is chosen among funding ones.
        if request.GET.get("model_name") == ApplicationWindow._meta.model_name:
            queryset = queryset.filter(kind=Measure.Kind.FUNDING)
        return queryset, may_have_duplicates


class TrackFieldInline(admin.TabularInline):
    model = TrackField
    extra = 0
    fields = (
        "order",
        "name",
        "label",
        "field_type",
        "unit",
        "required",
        "minimum",
        "maximum",
        "decimal_places",
        "help_text",
    )

    def get_fields(self, request, obj=None):
        # The field's code is for those who edit the rules; readers have its label.
        if not self.has_change_permission(request, obj):
            return [name for name in self.fields if name != "name"]
        return self.fields


class EligibilityThresholdInline(admin.TabularInline):
    model = EligibilityThreshold
    extra = 0
    fields = ("field_name", "operator", "value", "text")

    def get_fields(self, request, obj=None):
        # A reader of the rules reads the notice's words; the field's code is the editor's.
        if not self.has_change_permission(request, obj):
            return [name for name in self.fields if name != "field_name"]
        return self.fields


@admin.register(Track)
class TrackAdmin(ReadableAmountsMixin, admin.ModelAdmin):
    # The code is the API's and policy.toml's name for a track: on its page, not in the list.
    list_display = (
        "measure",
        "name",
        "award_kind",
        "rate_percent",
        "floor_yuan",
        "cap_yuan",
        "cap_period",
        "is_active",
    )
    list_display_links = ("name",)
    # For readers: amounts as they are checked, and the figures a rule reads by their labels
    # (the field codes are for those who edit the rules).
    readable_amounts = {
        "floor": "floor_exact",
        "cap": "cap_exact",
        "base_field": "base_field_label",
        "base_limit_field": "base_limit_field_label",
    }
    list_filter = ("award_kind", "cap_period", "is_active", "measure__section", "measure")
    list_select_related = ("measure",)
    search_fields = ("code", "name", "=measure__number", "measure__title")
    autocomplete_fields = ("measure",)
    fieldsets = (
        (None, {"fields": ("measure", "code", "name", "description", "order", "is_active")}),
        (
            _("奖补规则"),
            {
                "fields": (
                    "award_kind",
                    "rule_text",
                    ("rate", "base_field"),
                    ("base_limit_rate", "base_limit_field"),
                    ("floor", "cap", "cap_period"),
                )
            },
        ),
        (
            _("申报条件（申报数据的门槛见下方“申报条件”）"),
            {"fields": ("recognitions", ("industry_codes", "industry_text"), "confirmations")},
        ),
        (_("申报材料"), {"fields": ("required_documents",)}),
    )
    form = TrackForm
    inlines = [TrackFieldInline, EligibilityThresholdInline]

    @admin.display(description=_("比例"), ordering="rate")
    def rate_percent(self, track: Track) -> str:
        return "" if track.rate is None else f"{(track.rate * 100).normalize():f}%"

    @admin.display(description=_("计算基数字段"))
    def base_field_label(self, track: Track) -> str:
        return self._field_label(track, track.base_field)

    @admin.display(description=_("基数上限字段"))
    def base_limit_field_label(self, track: Track) -> str:
        return self._field_label(track, track.base_limit_field)

    def _field_label(self, track: Track, name: str) -> str:
        if not name:
            return self.get_empty_value_display()
        labels = {field.name: field.label for field in track.fields.all()}
        return labels.get(name, name)

    floor_yuan = amount_display("floor", _("下限"))
    cap_yuan = amount_display("cap", _("上限"))
    floor_exact = amount_display("floor", _("下限"), exact=True)
    cap_exact = amount_display("cap", _("上限"), exact=True)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A retired track keeps its old windows but is not offered for new ones.
        if request.GET.get("model_name") == ApplicationWindow._meta.model_name:
            queryset = queryset.filter(is_active=True, measure__kind=Measure.Kind.FUNDING)
        return queryset, may_have_duplicates


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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The State Council's holiday schedule, which every count of working days reads:
    administrators enter each year's once it is published."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
    fields = ("date", "kind", "name")
    list_per_page = 100

    def _is_administrator(self, request) -> bool:
        user = request.user
        return user.is_active and (
            user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR)
        )

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    @admin.display(description=_("星期"))
    def weekday(self, day):
        return WEEKDAYS[day.date.weekday()]
