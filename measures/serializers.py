from decimal import Decimal

from rest_framework import serializers

from .calculator import Quote
from .models import ApplicationWindow, EligibilityThreshold, Measure, Track, TrackField


class TrackFieldSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="field_type")
    maximum = serializers.SerializerMethodField()

    class Meta:
        model = TrackField
        fields = [
            "name",
            "label",
            "unit",
            "type",
            "required",
            "minimum",
            "maximum",
            "decimal_places",
            "help_text",
        ]

    def get_maximum(self, track_field: TrackField) -> str | None:
        """The most a figure may be (its own maximum, or the ceiling every figure has), as
        DRF writes a decimal; None for a yes/no or a text."""
        if track_field.field_type not in (
            TrackField.FieldType.DECIMAL,
            TrackField.FieldType.INTEGER,
        ):
            return None
        return format(track_field.ceiling.quantize(FEN), "f")


class ThresholdSerializer(serializers.ModelSerializer):
    field = serializers.CharField(source="field_name")

    class Meta:
        model = EligibilityThreshold
        fields = ["field", "operator", "value", "text"]


class RuleSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="award_kind")
    text = serializers.CharField(source="rule_text")

    class Meta:
        model = Track
        fields = [
            "kind",
            "rate",
            "base_field",
            "base_limit_rate",
            "base_limit_field",
            "floor",
            "cap",
            "cap_period",
            "text",
        ]


class TrackSerializer(serializers.ModelSerializer):
    fields = TrackFieldSerializer(many=True, read_only=True)
    thresholds = ThresholdSerializer(many=True, read_only=True)
    rule = RuleSerializer(source="*", read_only=True)

    class Meta:
        model = Track
        fields = [
            "code",
            "name",
            "description",
            "fields",
            "thresholds",
            "rule",
            "required_documents",
        ]


class OpenWindowSerializer(serializers.ModelSerializer):
    track = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ApplicationWindow
        fields = ["name", "year", "track", "opens_at", "closes_at", "processing_days"]


class MeasureSerializer(serializers.ModelSerializer):
    section = serializers.SerializerMethodField()
    division = serializers.StringRelatedField()
    tracks = TrackSerializer(many=True, read_only=True)
    is_open = serializers.SerializerMethodField()
    open_windows = OpenWindowSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "number",
            "title",
            "section",
            "kind",
            "division",
            "text",
            "is_open",
            "open_windows",
            "tracks",
            "contact",
        ]

    def get_section(self, measure: Measure) -> dict:
        return {"number": measure.section.number, "title": measure.section.title}

    def get_is_open(self, measure: Measure) -> bool:
        return bool(measure.open_windows)

    def get_contact(self, measure: Measure) -> dict | None:
        """The owning division's contact, as its guide gives it; None while none is published."""
        division = measure.division
        if division is None or not division.has_contact:
            return None
        return {
            "division": division.name,
            "phone": division.contact_phone,
            "address": division.contact_address,
            "office_hours": division.office_hours,
        }


class QuoteRequestSerializer(serializers.Serializer):
    track = serializers.CharField(max_length=50)
    # JSON null is "not given" (see api._as_form_value), as an empty form field is.
    declared = serializers.DictField(child=serializers.JSONField(allow_null=True), allow_empty=True)


FEN = Decimal("0.01")


def _yuan(amount: Decimal | None) -> str | None:
    # As DRF's DecimalField(decimal_places=2) with COERCE_DECIMAL_TO_STRING writes it; amounts
    # are in fen already, so nothing is rounded.
    return None if amount is None else format(amount.quantize(FEN), "f")


def quote_json(quote: Quote) -> dict:
    """A quote as the API answers it (a serializer's fields built for each answer cost more
    than the quote itself)."""
    return {
        "eligible": bool(quote.eligible),
        "reasons": [str(reason) for reason in quote.reasons],
        "amount": _yuan(quote.amount),
        "min_amount": _yuan(quote.min_amount),
        "max_amount": _yuan(quote.max_amount),
        "explanation": str(quote.explanation),
    }
