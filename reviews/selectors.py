"""The budget of each window, as the admin lists them."""

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import State
from measures.models import ApplicationWindow


def _sum_of(state_filter: Q):
    return Coalesce(
        Sum("applications__approved_amount", filter=state_filter),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def windows_with_budget() -> QuerySet[ApplicationWindow]:
    """Windows with what is approved (not yet paid), paid, and what remains of the budget."""
    return ApplicationWindow.objects.annotate(
        approved_total=_sum_of(Q(applications__state=State.APPROVED)),
        disbursed_total=_sum_of(Q(applications__state=State.DISBURSED)),
    )
