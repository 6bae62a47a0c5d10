from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .uploads import ACCEPTED_EXTENSIONS


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"))
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]
        self.fields["file"].help_text = gettext(
            "PDF、JPEG、PNG、DOCX 或 XLSX，单个文件不超过 %(limit)d MB。"
        ) % {"limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
