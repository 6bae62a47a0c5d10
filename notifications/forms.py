from django import forms

from enterprises.models import User


class EmailPreferenceForm(forms.ModelForm):
    """Parses the one setting; notifications.inbox writes it. The label and help text are the
    model field's."""

    class Meta:
        model = User
        fields = ["email_notifications"]
