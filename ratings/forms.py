from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX_LENGTH, SCORE_LABELS


class RatingForm(forms.Form):
    """1–5 and an optional comment; the service checks them again."""

    score = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(score, label) for score, label in SCORE_LABELS.items()],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择1至5分的评分。"),
            "invalid_choice": _("请选择1至5分的评分。"),
        },
    )
    comment = forms.CharField(
        label=_("意见建议（选填）"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("意见建议不能超过%(limit_value)d个字。")},
    )
