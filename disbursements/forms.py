import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import ApplicationWindow, Measure

from .models import BatchLine, BatchState, DisbursementBatch

REASON_MAX = BatchLine._meta.get_field("failure_reason").max_length

REFERENCE = re.compile(r"^\s*(CQJX-\d{4}-\d{2}-\d{6})[\s:：,，、]+(.+?)\s*$", re.IGNORECASE)


class BatchCreateForm(forms.Form):
    window = forms.ModelChoiceField(
        label=_("申报批次"),
        queryset=ApplicationWindow.objects.select_related("measure").order_by("-opens_at"),
        required=False,
        help_text=_("可选：本拨付批次按哪个申报批次编制。"),
    )
    measure = forms.ModelChoiceField(
        label=_("政策条款"),
        queryset=Measure.objects.filter(kind=Measure.Kind.FUNDING).order_by("number"),
        required=False,
        help_text=_("可选：本拨付批次按哪条政策措施编制。"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    include_payable = forms.BooleanField(
        label=_("加入全部可拨付申报"),
        required=False,
        help_text=_("勾选后，所选申报批次或政策条款下已批准、尚未进入拨付批次的申报一并加入。"),
    )

    def clean(self):
        data = super().clean()
        window, measure = data.get("window"), data.get("measure")
        if window is not None and measure is not None and window.measure_id != measure.pk:
            raise forms.ValidationError(_("申报批次不属于所选政策条款。"))
        if data.get("include_payable") and window is None and measure is None:
            raise forms.ValidationError(_("加入全部可拨付申报时，请选择申报批次或政策条款。"))
        return data


class AddToBatchForm(forms.Form):
    batch = forms.ModelChoiceField(
        label=_("拨付批次"),
        queryset=DisbursementBatch.objects.none(),
        required=False,
        empty_label=_("新建拨付批次"),
        help_text=_("可选择本人编制的草稿批次。"),
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=200,
        required=False,
        help_text=_("新建批次时使用。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = DisbursementBatch.objects.filter(
            state=BatchState.DRAFT, prepared_by=user
        )


class MarkPaidForm(forms.Form):
    required_css_class = "required"  # the admin's bold label

    payment_date = forms.DateField(
        label=_("拨付日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("银行实际付款的日期。"),
    )
    bank_reference = forms.CharField(
        label=_("银行流水号"), max_length=64, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    failed_lines = forms.CharField(
        label=_("银行退回的明细"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70, "class": "vLargeTextField"}),
        help_text=_(
            "没有则留空。每行一笔：申报编号，后接银行退回的原因，"
            "例如“CQJX-2026-02-000123 户名与账号不符”。"
        ),
    )

    def clean_failed_lines(self) -> dict[str, str]:
        failed: dict[str, str] = {}
        bad, too_long = [], []
        for number, line in enumerate(self.cleaned_data["failed_lines"].splitlines(), start=1):
            if not line.strip():
                continue
            match = REFERENCE.match(line)
            if match is None:
                bad.append(number)
                continue
            reference, reason = match.group(1).upper(), match.group(2)
            if len(reason) > REASON_MAX:
                too_long.append(number)
            failed[reference] = reason
        if too_long:
            raise forms.ValidationError(
                _("第%(lines)s行的原因太长：最多%(max)d个字。")
                % {"lines": "、".join(str(n) for n in too_long), "max": REASON_MAX}
            )
        if bad:
            raise forms.ValidationError(
                _("第%(lines)s行格式不对：应为申报编号加原因。")
                % {"lines": "、".join(str(n) for n in bad)}
            )
        return failed


class CancelForm(forms.Form):
    required_css_class = "required"  # the admin's bold label

    reason = forms.CharField(
        label=_("作废原因"), max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    exported_list_unpaid = forms.BooleanField(
        label=_("已向银行确认：已导出的拨付清单未付款、也不会再付款"),
        required=False,
        help_text=_("本批次已导出过拨付清单时必须勾选：作废后其中的申报可以进入其他批次。"),
    )


class ConfirmForm(forms.Form):
    """A confirmation with nothing to fill in (freezing)."""
