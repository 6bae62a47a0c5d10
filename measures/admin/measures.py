"""The notice's structure in the admin: the document, its sections, divisions and measures."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import ReadOnlyAdminMixin

from ..amount_columns import amount_display
from ..audience import Industry, Scale
from ..models import ApplicationWindow, Division, Measure, PolicyDocument, Section, Track


def _change_link(obj, text) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown for orientation; the rows are edited on their own pages."""

    extra = 0
    can_delete = False


class _ChildCountAdmin(admin.ModelAdmin):
    """A list with a sortable column counting each row's children: ``child_count`` names the
    relation and the column, e.g. ``("tracks", "track_count")``."""

    child_count: tuple[str, str]

    def get_queryset(self, request):
        relation, column = self.child_count
        return super().get_queryset(request).annotate(**{column: Count(relation)})


def _count_column(column: str, description):
    @admin.display(description=description, ordering=column)
    def display(self, obj) -> int:
        return getattr(obj, column)

    return display


def _audience_field(choices, label) -> forms.MultipleChoiceField:
    """Whom a section or measure addresses, ticked among the enterprise profile's choices."""
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class SectionForm(forms.ModelForm):
    industries = _audience_field(Industry.choices, _("面向行业"))
    scales = _audience_field(Scale.choices, _("面向规模"))

    class Meta:
        model = Section
        fields = ("document", "number", "title", "industries", "scales")


class MeasureForm(forms.ModelForm):
    industries = _audience_field(Industry.choices, _("面向行业"))

    class Meta:
        model = Measure
        fields = ("section", "number", "title", "text", "kind", "division", "industries")


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
class SectionAdmin(_ChildCountAdmin):
    form = SectionForm
    list_display = ("__str__", "document", "measure_count")
    list_filter = ("document",)
    list_select_related = ("document",)
    inlines = [SectionMeasureInline]
    child_count = ("measures", "measure_count")
    measure_count = _count_column("measure_count", _("措施数"))


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
    # Read by reviewers too: amounts as every page reads them, no code (typed on the track's
    # own page by administrators).
    model = Track
    fields = (
        "track_link",
        "award_kind",
        "rate_percent",
        "floor_yuan",
        "cap_yuan",
        "cap_period",
        "is_active",
    )
    readonly_fields = fields
    ordering = ("order", "pk")
    floor_yuan = amount_display("floor", _("下限"))
    cap_yuan = amount_display("cap", _("上限"))

    @admin.display(description=_("比例"))
    def rate_percent(self, track: Track) -> str:
        if track.rate is None:
            return self.get_empty_value_display()
        return f"{(track.rate * 100).normalize():f}%"

    @admin.display(description=_("申报类别"))
    def track_link(self, track: Track) -> str:
        return _change_link(track, track.name)


@admin.register(Measure)
class MeasureAdmin(_ChildCountAdmin):
    form = MeasureForm
    list_display = ("number", "title", "section", "kind", "division", "track_count")
    list_display_links = ("number", "title")
    list_filter = ("kind", "section", "division")
    list_select_related = ("section", "division")
    search_fields = ("=number", "title", "text")
    ordering = ("number",)
    inlines = [MeasureTrackInline]
    child_count = ("tracks", "track_count")
    track_count = _count_column("track_count", _("申报类别数"))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Programmes take no applications, so a window's measure is chosen among funding ones.
        if request.GET.get("model_name") == ApplicationWindow._meta.model_name:
            queryset = queryset.filter(kind=Measure.Kind.FUNDING)
        return queryset, may_have_duplicates
