import secrets

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHALLENGE_SALT = "publicity.objection.challenge"
# A question answered within this long; a bot replaying an old one is refused.
CHALLENGE_MAX_AGE = 60 * 60


def new_challenge() -> tuple[str, str]:
    """A small sum and its signed token: the answer travels only signed, so no state is kept."""
    first, second = 1 + secrets.randbelow(9), 1 + secrets.randbelow(9)
    token = signing.dumps({"sum": first + second}, salt=CHALLENGE_SALT)
    return _("%(first)d 加 %(second)d 等于几？") % {"first": first, "second": second}, token


class ObjectionForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("异议对象"), coerce=int)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=100)
    text = forms.CharField(
        label=gettext_lazy("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    answer = forms.IntegerField(label=gettext_lazy("验证问题"))
    # Left empty by people, who never see it (hidden by the stylesheet); filled by bots.
    website = forms.CharField(required=False, label=gettext_lazy("网址"))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择"))] + [
            (entry.pk, f"{entry.enterprise_name} · {entry.track_name}") for entry in entries
        ]
        # Every page shows a fresh question; the template puts its token in a hidden input.
        self.question, self.challenge_token = new_challenge()
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未通过验证，请重试。"))
        try:
            expected = signing.loads(
                self.data.get("challenge", ""), salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE
            )["sum"]
        except (signing.BadSignature, KeyError, TypeError):
            expected = None
        if expected is None or cleaned.get("answer") != expected:
            self.add_error("answer", _("验证问题回答不正确，请重新计算。"))
        return cleaned
