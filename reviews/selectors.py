"""The budget of each window, as the admin lists them."""

from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Value
from django.db.models.functions import Coalesce

from measures.models import MONEY, ApplicationWindow


def _kept(field: str):
    # A window without a totals row has had nothing approved.
    return Coalesce(f"totals__{field}", Value(Decimal("0")), output_field=DecimalField(**MONEY))


def windows_with_budget() -> QuerySet[ApplicationWindow]:
    """Windows with what is approved (not yet paid) and what is paid: the totals the services
    keep with every approval and payment, one row per window, so that the list reads the same
    number of rows however many applications there are."""
    return ApplicationWindow.objects.annotate(
        approved_total=_kept("approved_amount"), disbursed_total=_kept("disbursed_amount")
    )
