"""部门数据异议 in the admin: the system administrators read the enterprises' reports against
the departments' figures and recognitions and answer each once; the auditor reads them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from departments.display import figure_field, figure_shown
from departments.models import DataSource

from . import services
from .models import DepartmentDisagreement


def _yes_no(value: bool, *, recognition: bool) -> str:
    if recognition:
        return _("已获得该认定") if value else _("未获得该认定")
    return _("是") if value else _("否")


class TargetFilter(admin.SimpleListFilter):
    """Whether the report disputes a figure or a recognition."""

    title = _("异议对象")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("figure", _("部门年度数据")), ("recognition", _("部门认定数据"))]

    def queryset(self, request, queryset):
        if self.value() == "figure":
            return queryset.filter(figure__isnull=False)
        if self.value() == "recognition":
            return queryset.filter(recognition__isnull=False)
        return queryset


class SourceFilter(admin.SimpleListFilter):
    """The department whose figure or recognition is disputed."""

    title = _("数据来源部门")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in DataSource.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        source = int(self.value())
        return queryset.filter(Q(figure__source=source) | Q(recognition__source=source))


class AnswerForm(forms.ModelForm):
    class Meta:
        model = DepartmentDisagreement
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "answer" in self.fields:
            self.fields["answer"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.state != DepartmentDisagreement.State.PENDING:
            raise ValidationError(_("该异议已经答复，不能再次答复。"))
        return cleaned


@admin.register(DepartmentDisagreement)
class DepartmentDisagreementAdmin(admin.ModelAdmin):
    form = AnswerForm
    list_display = [
        "enterprise",
        "source",
        "label",
        "year",
        "department_value",
        "claimed",
        "state",
        "reported_at",
    ]
    list_filter = ["state", TargetFilter, SourceFilter]
    list_select_related = ["enterprise", "figure__source", "recognition__source"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    search_help_text = _("按企业名称或统一社会信用代码查找")
    readonly_fields = [
        "enterprise",
        "source",
        "label",
        "year",
        "department_value",
        "batch",
        "claimed",
        "reason",
        "reported_by",
        "reported_at",
        "state",
        "answered_by",
        "answered_at",
    ]
    fields = [*readonly_fields[:11], "answer", *readonly_fields[11:]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "enterprise",
                "figure__source",
                "recognition__source",
                "reported_by",
                "answered_by",
            )
            .annotate(
                figure_label=figure_field("label", name="figure__name"),
                figure_unit=figure_field("unit", name="figure__name"),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != DepartmentDisagreement.State.PENDING:
            return [*self.readonly_fields, "answer"]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The answer goes through the service, which records who and when and tells the
        # enterprise; the department's figure is left as it is.
        answered = services.disagreement_answer(
            disagreement=obj, answer=form.cleaned_data["answer"], by=request.user
        )
        obj.refresh_from_db()
        return answered

    @admin.display(
        description=_("数据来源部门"),
        ordering=Coalesce("figure__source__name", "recognition__source__name"),
    )
    def source(self, disagreement):
        return disagreement.target.source.name

    @admin.display(description=_("项目"))
    def label(self, disagreement):
        if disagreement.recognition_id is not None:
            return disagreement.recognition.get_kind_display()
        return getattr(disagreement, "figure_label", None) or disagreement.figure.name

    @admin.display(description=_("年度"), ordering=Coalesce("figure__year", "recognition__year"))
    def year(self, disagreement):
        return disagreement.target.year

    @admin.display(description=_("部门数据"))
    def department_value(self, disagreement):
        if disagreement.recognition_id is not None:
            return _yes_no(disagreement.recognition.held, recognition=True)
        return figure_shown(disagreement.figure.value, getattr(disagreement, "figure_unit", None))

    @admin.display(description=_("企业认为应为"))
    def claimed(self, disagreement):
        if disagreement.claimed_boolean is None:
            return figure_shown(
                disagreement.claimed_value, getattr(disagreement, "figure_unit", None)
            )
        recognition = disagreement.recognition_id is not None
        return _yes_no(disagreement.claimed_boolean, recognition=recognition)

    @admin.display(description=_("导入批次"))
    def batch(self, disagreement):
        return _("批次号%(number)s") % {"number": disagreement.target.batch_id}
