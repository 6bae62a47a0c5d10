"""The forms of 部门数据's admin: a source's columns, and the upload of a file to import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.selectors import figure_track_fields

from .models import DataSource, SourceField
from .reading import EXTENSIONS, FileRefused, check_file


def figure_choices() -> list[tuple[str, str]]:
    """The figures a column may give: the declared-field names of the policy data."""
    return [("", "—")] + [
        (
            name,
            _("%(label)s（通知第%(numbers)s条）")
            % {"label": track_field.label, "numbers": "、".join(map(str, numbers))},
        )
        for name, (track_field, numbers) in figure_track_fields().items()
    ]


class SourceFieldForm(forms.ModelForm):
    class Meta:
        model = SourceField
        fields = ["header", "figure_name", "recognition", "tolerance"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = figure_choices()
        current = self.initial.get("figure_name")
        if current and current not in dict(choices):
            # A name the policy data no longer asks for: kept visible, to be changed.
            choices.append((current, current))
        self.fields["figure_name"] = forms.ChoiceField(
            label=SourceField._meta.get_field("figure_name").verbose_name,
            choices=choices,
            required=False,
            help_text=SourceField._meta.get_field("figure_name").help_text,
        )

    def clean(self):
        cleaned = super().clean()
        figure, recognition = cleaned.get("figure_name"), cleaned.get("recognition")
        if bool(figure) == bool(recognition):
            raise forms.ValidationError(_("请选择对应的档案数据或认定，二者选其一。"))
        return cleaned


class ImportUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("数据来源部门"), queryset=DataSource.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "CSV 或 XLSX：第一行为表头，含“统一社会信用代码”“年度”和该部门定义的列；CSV 可用 UTF-8 或 GB18030 编码。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("只能导入 CSV 或 XLSX 文件。"))
        try:
            check_file(upload, file_name=upload.name)
        except FileRefused as refused:
            raise forms.ValidationError(refused.messages) from None
        return upload
