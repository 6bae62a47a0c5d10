"""The windows' budget totals: what the approved and the paid applications of each window add up
to, kept up to date by every transition that changes them and recounted on demand."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, QuerySet, Sum, Value, When

from measures.models import MONEY, ApplicationWindow

from ..models import (
    BUDGETED_STATES,
    Application,
    State,
    WindowTotals,
)
from ._base import ZERO


def _window_totals_add(changes: dict[int, tuple[Decimal, Decimal]]) -> None:
    """Add (approved, disbursed) to each window's totals, in the caller's transaction: one
    INSERT for windows that have no row yet and one UPDATE, however many windows."""
    if not changes:
        return
    WindowTotals.objects.bulk_create(
        [WindowTotals(window_id=window_id) for window_id in changes], ignore_conflicts=True
    )

    def change(index: int):
        return Case(
            *(
                When(pk=window_id, then=Value(amounts[index]))
                for window_id, amounts in changes.items()
            ),
            default=Value(ZERO),
            output_field=DecimalField(**MONEY),
        )

    WindowTotals.objects.filter(pk__in=list(changes)).update(
        approved_amount=F("approved_amount") + change(0),
        disbursed_amount=F("disbursed_amount") + change(1),
    )


def _summed_totals(window_ids) -> dict[int, tuple[Decimal, Decimal]]:
    rows = (
        Application.objects.filter(window_id__in=window_ids, state__in=BUDGETED_STATES)
        .values("window_id", "state")
        .annotate(total=Sum("approved_amount"))
    )
    sums = {window_id: [ZERO, ZERO] for window_id in window_ids}
    for row in rows:
        sums[row["window_id"]][row["state"] == State.DISBURSED] += row["total"] or ZERO
    return {window_id: (approved, disbursed) for window_id, (approved, disbursed) in sums.items()}


@transaction.atomic
def window_totals_recount(*, windows: QuerySet | None = None) -> list[int]:
    """Recompute the budget totals of ``windows`` (all by default) from their applications,
    for rows written outside the services; returns the ids of the windows that were off.

    The totals rows are locked before the applications are summed, so a payment or an
    approval running meanwhile adds its change after the recount, to the right figure."""
    windows = windows if windows is not None else ApplicationWindow.objects.all()
    window_ids = list(windows.order_by("pk").values_list("pk", flat=True))
    WindowTotals.objects.bulk_create(
        [WindowTotals(window_id=window_id) for window_id in window_ids], ignore_conflicts=True
    )
    kept = {
        totals.pk: (totals.approved_amount, totals.disbursed_amount)
        for totals in WindowTotals.objects.select_for_update()
        .filter(pk__in=window_ids)
        .order_by("pk")
    }
    corrected = []
    for window_id, (approved, disbursed) in _summed_totals(window_ids).items():
        if kept[window_id] != (approved, disbursed):
            WindowTotals.objects.filter(pk=window_id).update(
                approved_amount=approved, disbursed_amount=disbursed
            )
            corrected.append(window_id)
    return corrected
