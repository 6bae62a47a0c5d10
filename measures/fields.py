"""Form fields that read figures strictly, wherever they enter (forms, the API, services).

Python reads more than people mean: ``Decimal("1_000")`` is 1000, ``Decimal("1.23457E+11")`` is
123457000000, ``bool("no")`` is True and a checkbox widget turns any text into True. These read
only what an applicant or a reviewer would write (measures.numbers), and say in Chinese what
they refuse.
"""

from decimal import Decimal

from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .numbers import FIGURE_CEILING, MESSAGES, exact_digits_ok, parse_number

TRUE_TEXTS = {"true", "on"}  # "on": what a ticked HTML checkbox sends
FALSE_TEXTS = {"false", ""}


class StrictDecimalField(forms.DecimalField):
    """A figure as ``measures.numbers.parse_number`` reads it: plain digits, at most
    ``decimal_places`` decimals, at most ``maximum``; -0 is 0. ``money``: an amount in 元,
    its limits written as amounts."""

    widget = forms.TextInput
    default_error_messages = {"invalid": MESSAGES["invalid"]}

    def __init__(
        self,
        *,
        decimal_places: int = 2,
        maximum: Decimal = FIGURE_CEILING,
        min_value: Decimal | int | None = None,
        money: bool = True,
        **kwargs,
    ):
        if not exact_digits_ok(maximum=maximum, decimal_places=decimal_places):
            raise ValueError(f"{maximum} with {decimal_places} places cannot read back exactly")
        kwargs.pop("max_digits", None)
        kwargs.pop("max_value", None)
        self.maximum = maximum
        self.minimum = None if min_value is None else Decimal(min_value)
        self.money = money
        # The limits are checked in to_python, with the messages of measures.numbers.
        super().__init__(decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_number(
            value,
            decimal_places=self.decimal_places,
            maximum=self.maximum,
            minimum=self.minimum,
            money=self.money,
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.TextInput) and not isinstance(widget, forms.NumberInput):
            attrs.setdefault("inputmode", "decimal" if self.decimal_places else "numeric")
        return attrs


class StrictIntegerField(StrictDecimalField):
    """A whole number, read as figures are (measures.numbers); an int."""

    default_error_messages = {"invalid": MESSAGES["integer"]}

    def __init__(self, *, maximum: Decimal = FIGURE_CEILING, min_value=None, **kwargs):
        kwargs.pop("decimal_places", None)
        super().__init__(
            decimal_places=0, maximum=maximum, min_value=min_value, money=False, **kwargs
        )
        # The decimal validator reads a Decimal; the whole number is checked in to_python.
        self.validators = []

    def to_python(self, value):
        number = super().to_python(value)
        return None if number is None else int(number)

    def validate(self, value):
        forms.Field.validate(self, value)


class ExactDecimalField(models.DecimalField):
    """A decimal column every value of which reads back exactly, on PostgreSQL and on SQLite
    (which keeps 15 significant digits): its ``maximum`` (in absolute value) and decimal places
    stay within measures.numbers.EXACT_DIGITS, which a system check holds it to. Model
    validation refuses more (so do the admin's forms and the services that validate), and its
    form field is the strict one, so the admin reads figures as the site does."""

    def __init__(
        self, *args, maximum: Decimal = FIGURE_CEILING, minimum=None, money: bool = True, **kwargs
    ):
        self.maximum = Decimal(maximum)
        self.minimum = None if minimum is None else Decimal(minimum)
        self.money = money
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.maximum != FIGURE_CEILING:
            kwargs["maximum"] = self.maximum
        if self.minimum is not None:
            kwargs["minimum"] = self.minimum
        if not self.money:
            kwargs["money"] = False
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not exact_digits_ok(maximum=self.maximum, decimal_places=self.decimal_places):
            errors.append(
                checks.Error(
                    f"maximum {self.maximum} with {self.decimal_places} decimal places has more "
                    "significant digits than SQLite reads back exactly",
                    obj=self,
                    id="measures.E001",
                )
            )
        return errors

    @cached_property
    def validators(self):
        return [*super().validators, self._within_limits]

    def _within_limits(self, value) -> None:
        if value is None:
            return
        try:
            parse_number(
                value,
                decimal_places=self.decimal_places,
                maximum=self.maximum,
                minimum=self.minimum,
                money=self.money,
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def formfield(self, **kwargs):
        return super().formfield(
            **{
                "form_class": StrictDecimalField,
                "maximum": self.maximum,
                "min_value": self.minimum,
                "money": self.money,
                **kwargs,
            }
        )


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
