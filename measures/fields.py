"""Form fields that read figures strictly, wherever they enter (forms, the API, services).

Python reads more than people mean: ``Decimal("1_000")`` is 1000, ``bool("no")`` is True and a
checkbox widget turns any text into True. These read only what an applicant or a reviewer
would write, and say in Chinese what they refuse.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

TRUE_TEXTS = {"true", "on"}  # "on": what a ticked HTML checkbox sends
FALSE_TEXTS = {"false", ""}


class StrictDecimalField(forms.DecimalField):
    """No digit separators ("1_000", "1,000"); -0 is 0."""

    default_error_messages = {"invalid": _("请输入一个数字，不要使用千位分隔符。")}

    def to_python(self, value):
        if isinstance(value, str) and ("_" in value or "," in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            # Refused here, before any comparison: comparing a signalling NaN ("sNaN") raises.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if value is not None and value == 0:
            # copy_abs, not quantize: "0e-999999999" is beyond what quantize can reach, and
            # the decimal places check refuses it once it is read.
            value = value.copy_abs() if value.as_tuple().exponent < 0 else Decimal(0)
        return value


class StrictIntegerField(forms.IntegerField):
    default_error_messages = {"invalid": _("请输入一个整数，不要使用千位分隔符。")}

    def to_python(self, value):
        if isinstance(value, str) and ("_" in value or "," in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class YesNoCheckbox(forms.CheckboxInput):
    """A checkbox that hands the field what it was sent, instead of bool() of any text."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return False
        value = data.get(name)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
        return value


class StrictBooleanField(forms.BooleanField):
    """Yes or no: True/False, "true"/"false", a ticked or unticked checkbox; nothing else
    ("0", "no", "off", "1" are refused, not read as yes)."""

    widget = YesNoCheckbox
    default_error_messages = {"invalid": _("请选择是或否。")}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        if self.required and value is not True:
            raise forms.ValidationError(self.error_messages["required"], code="required")
