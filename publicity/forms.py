from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .challenges import challenge_spend


class FreshAnswerInput(forms.NumberInput):
    """Every page asks a new question: the answer typed to the last one is never shown again."""

    def format_value(self, value):
        return None


class ObjectionForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("异议对象"), coerce=int)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=100)
    text = forms.CharField(
        label=gettext_lazy("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    answer = forms.IntegerField(label=gettext_lazy("验证问题"), widget=FreshAnswerInput)
    # Left empty by people, who never see it (hidden by the stylesheet); filled by bots.
    website = forms.CharField(required=False, label=gettext_lazy("网址"))

    def __init__(self, *args, entries=(), visitor: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visitor = visitor
        self.fields["entry"].choices = [("", _("请选择"))] + [
            (entry.pk, f"{entry.enterprise_name} · {entry.track_name}") for entry in entries
        ]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        # The question is spent by any post that names it, before anything else is judged.
        expected = challenge_spend(nonce=self.data.get("challenge", ""), visitor=self.visitor)
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未通过验证，请重试。"))
        if expected is None:
            self.add_error("answer", _("验证问题已失效，请回答新的问题。"))
        elif cleaned.get("answer") != expected:
            self.add_error("answer", _("验证问题回答不正确，请回答新的问题。"))
        return cleaned
