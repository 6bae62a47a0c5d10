from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .uploads import ACCEPTED_EXTENSIONS


def _file_help() -> str:
    return gettext("PDF、JPEG、PNG、DOCX 或 XLSX，单个文件不超过 %(limit)d MB。") % {
        "limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
    }


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"))
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]
        self.fields["file"].help_text = _file_help()


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class LibraryUploadForm(forms.Form):
    """A document for the enterprise's library: its kind, its year where it has one."""

    kind = forms.ChoiceField(label=_("材料类型"))
    year = forms.IntegerField(label=_("年度"), required=False)
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, kinds: list[str], first_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]
        # The bounds are today's: the current year is the latest a document can be of.
        self.fields["year"] = forms.IntegerField(
            label=_("年度"),
            required=False,
            min_value=first_year,
            max_value=timezone.localdate().year,
            help_text=_("年度财务报表等按年度出具的材料请填写所属年度，其他材料可不填。"),
        )
        self.fields["file"].help_text = _file_help()


class LibraryReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("新文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


class LibraryAttachForm(forms.Form):
    """Which library document to attach, and as which of the track's kinds."""

    library_document = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField()

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]
