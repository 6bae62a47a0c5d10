"""How the admin writes a department's figure: its label and unit from the policy data, its
value as the site writes amounts and figures."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext

from measures.models import Measure, TrackField
from measures.money import format_number, format_yuan_exact


def figure_field(column: str, *, name: str = "name") -> Subquery:
    """A column (label, unit) of the first track field, in the notice's order, of the figure
    name the query's ``name`` holds."""
    return Subquery(
        TrackField.objects.filter(
            name=OuterRef(name),
            track__is_active=True,
            track__measure__kind=Measure.Kind.FUNDING,
        )
        .order_by("track__measure__number", "track__order", "order", "pk")
        .values(column)[:1]
    )


def figure_shown(value, unit: str | None) -> str:
    """是/否; an amount as 1.5亿元（150,000,000.00元）; another figure as 1,200 人."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if unit == "元":
        return format_yuan_exact(value)
    return f"{format_number(value)} {unit or ''}".strip()
