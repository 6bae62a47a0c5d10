"""Tracks in the admin: each with its award rule, conditions, declared figures and thresholds."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from measures.amount_columns import amount_display
from policy_portal.admin_mixins import ReadableAmountsMixin

from ..industries import CLASSIFICATION
from ..models import ApplicationWindow, EligibilityThreshold, Measure, Track, TrackField
from ..recognitions import Recognition


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
        "code": None,
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
