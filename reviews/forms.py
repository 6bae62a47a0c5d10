"""The reviewers' decision forms: one application's, and the bulk action's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.fields import StrictDecimalField
from measures.numbers import AMOUNT_CEILING

from .services import DECISIONS


def _comment_field(*, rows: int) -> forms.CharField:
    return forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
        max_length=2000,
    )


class _CommentedDecisionForm(forms.Form):
    """What every reviewer's decision asks for: a comment, required for a return or a
    rejection, and whether the enterprise reads it (``comment`` and ``comment_public``)."""

    def __init__(self, *args, transition: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = DECISIONS[transition]
        if not self.kind.sets_amount:
            self.fields["comment"].required = True


class DecisionForm(_CommentedDecisionForm):
    comment = _comment_field(rows=4)
    comment_public = forms.BooleanField(
        label=_("对企业公开"),
        required=False,
        initial=True,
        help_text=_("不勾选则意见仅审核人员可见。"),
    )
    amount = StrictDecimalField(
        label=_("金额（元）"),
        required=False,
        decimal_places=2,
        maximum=AMOUNT_CEILING,
        min_value=0,
        # static/js/wan.js reads the amount beside the input as it is typed, as the
        # enterprise's figures form does.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-money": "yuan"}),
    )

    def __init__(self, *args, transition: str, **kwargs):
        super().__init__(*args, transition=transition, **kwargs)
        if self.kind.sets_amount:
            self.fields["amount"].required = True
            self.fields["amount"].label = (
                _("推荐金额（元）") if transition == "district_approve" else _("核定金额（元）")
            )
        else:
            del self.fields["amount"]


class BulkDecisionForm(_CommentedDecisionForm):
    comment = _comment_field(rows=3)
    comment_public = forms.BooleanField(label=_("对企业公开"), required=False, initial=True)
