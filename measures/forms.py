"""The declared-figures form, generated from a track's field definitions.

One generator serves the calculator page, the API and the application form, so a figure is
validated the same way wherever it is entered.
"""

from decimal import Decimal

from django import forms

from .fields import StrictBooleanField, StrictDecimalField, StrictIntegerField
from .models import Track, TrackField


def declared_form_field(track_field: TrackField) -> forms.Field:
    """The form field a figure of ``track_field`` is entered with, wherever it is entered."""
    common = {
        "label": f"{track_field.label}（{track_field.unit}）"
        if track_field.unit
        else track_field.label,
        "required": track_field.required,
        "help_text": track_field.help_text,
    }
    kind = track_field.field_type
    if kind == TrackField.FieldType.DECIMAL:
        minimum = track_field.minimum
        if track_field.is_money and (minimum is None or minimum < 0):
            # Money is never negative, whatever the data file forgets to say.
            minimum = Decimal(0)
        field = StrictDecimalField(
            decimal_places=track_field.decimal_places,
            maximum=track_field.ceiling,
            min_value=minimum,
            money=track_field.is_money,
            **common,
        )
        if track_field.is_money:
            # static/js/wan.js shows the figure in 万元 beside the input as it is typed.
            field.widget.attrs["data-money"] = "yuan"
        return field
    if kind == TrackField.FieldType.INTEGER:
        return StrictIntegerField(
            maximum=track_field.ceiling, min_value=track_field.minimum, **common
        )
    if kind == TrackField.FieldType.BOOLEAN:
        # A checkbox: "not ticked" is an answer (no), so it is never required at form level;
        # eligibility thresholds decide whether "no" qualifies.
        common["required"] = False
        return StrictBooleanField(**common)
    return forms.CharField(max_length=200, **common)


class DeclaredFiguresForm(forms.Form):
    """Figures an applicant declares for one track; build it with ``declared_form_class``."""

    track: Track

    def declared(self) -> dict:
        """The cleaned figures, without empty optional values."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def declared_form_class(track: Track) -> type[DeclaredFiguresForm]:
    """The form of ``track``'s fields, built once per track object: the quote API's cached
    track (measures.cache) is the same object request after request."""
    form_class = track.__dict__.get("_declared_form_class")
    if form_class is None:
        fields = {f.name: declared_form_field(f) for f in track.fields.all()}
        form_class = type(
            f"DeclaredFiguresForm_{track.pk}", (DeclaredFiguresForm,), {**fields, "track": track}
        )
        track.__dict__["_declared_form_class"] = form_class
    return form_class


def serialize_declared(declared: dict) -> dict:
    """Declared figures as JSON-safe values: Decimals as strings so no fen is lost."""
    return {
        name: (format(value, "f") if isinstance(value, Decimal) else value)
        for name, value in declared.items()
    }
