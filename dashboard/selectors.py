"""The dashboard's figures: one aggregate query per chart, whatever the number of applications.

Each function takes the scope (the whole city, or one district) and returns plain rows (dicts of
codes, numbers and Decimal amounts), which the charts label and format (``dashboard.charts``)
and which can be cached as they are.

Applications count from their first submission: a draft is the enterprise's own until then.
Approved amounts are those of applications approved or paid (what counts against a budget);
paid amounts those of paid applications.
"""

import statistics
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from applications.models import BUDGETED_STATES, Application, State, WindowTotals
from measures.models import MONEY, ApplicationWindow
from ratings.models import Rating
from ratings.selectors import withhold_small_groups

from .permissions import Scope

ZERO = Decimal("0.00")
MEASURE_NUMBER = "track__measure__number"
MEASURE_TITLE = "track__measure__title"


def _money(expression):
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(**MONEY))


def submitted_applications(scope: Scope) -> QuerySet[Application]:
    applications = Application.objects.filter(submitted_at__isnull=False)
    if scope.district:
        applications = applications.filter(district=scope.district)
    return applications


def _budgeted(scope: Scope) -> QuerySet[Application]:
    applications = Application.objects.filter(state__in=BUDGETED_STATES)
    if scope.district:
        applications = applications.filter(district=scope.district)
    return applications


_APPROVED = _money(Sum("approved_amount"))
_PAID = _money(Sum("approved_amount", filter=Q(state=State.DISBURSED)))


# ── applications ───────────────────────────────────────────────────────────────────────────


def applications_by_state(scope: Scope) -> list[dict]:
    """[{state, count}] in the state machine's order, states without applications left out."""
    counts = dict(
        submitted_applications(scope)
        .order_by()
        .values_list("state")
        .annotate(count=Count("*"))
        .values_list("state", "count")
    )
    return [{"state": state.value, "count": counts[state]} for state in State if state in counts]


def applications_by_measure(scope: Scope) -> list[dict]:
    """[{number, title, count}] by measure number."""
    return list(
        submitted_applications(scope)
        .order_by()
        .values(number=F(MEASURE_NUMBER), title=F(MEASURE_TITLE))
        .annotate(count=Count("*"))
        .order_by("number")
    )


# ── money ──────────────────────────────────────────────────────────────────────────────────


def money_by_window(scope: Scope) -> list[dict]:
    """[{window_pk, number, name, budget, approved, paid}] by measure and opening.

    The city's are every window with the totals the services keep per window
    (``WindowTotals``), so no application is read; a district's are the windows its
    applications went to, summed from them. The budget is the window's, for the whole city,
    in either case.
    """
    if scope.district:
        rows = (
            submitted_applications(scope)
            .order_by()
            .values(
                window_pk=F("window_id"),
                number=F("window__measure__number"),
                name=F("window__name"),
                budget=F("window__total_budget"),
            )
            .annotate(
                approved=_money(Sum("approved_amount", filter=Q(state__in=BUDGETED_STATES))),
                paid=_PAID,
            )
            .order_by("number", "window__opens_at", "window_pk")
        )
    else:
        rows = ApplicationWindow.objects.order_by("measure__number", "opens_at", "pk").values(
            "name",
            window_pk=F("pk"),
            number=F("measure__number"),
            budget=F("total_budget"),
            approved=_money(F("totals__approved_amount") + F("totals__disbursed_amount")),
            paid=_money(F("totals__disbursed_amount")),
        )
    return list(rows)


def money_by_measure(scope: Scope) -> list[dict]:
    """[{number, title, approved, paid}] by measure number, measures with approvals only.

    The city's come from the kept window totals, a district's from its applications.
    """
    if scope.district:
        rows = (
            _budgeted(scope)
            .order_by()
            .values(number=F(MEASURE_NUMBER), title=F(MEASURE_TITLE))
            .annotate(approved=_APPROVED, paid=_PAID)
        )
    else:
        rows = (
            WindowTotals.objects.order_by()
            .values(number=F("window__measure__number"), title=F("window__measure__title"))
            .annotate(
                approved=_money(Sum(F("approved_amount") + F("disbursed_amount"))),
                paid=_money(Sum("disbursed_amount")),
            )
            .filter(approved__gt=0)
        )
    return list(rows.order_by("number"))


def by_district(scope: Scope) -> list[dict]:
    """[{district, count, approved, paid}]: applications submitted, amounts approved and paid,
    by district code, most applications first."""
    return list(
        submitted_applications(scope)
        .order_by()
        .values("district")
        .annotate(
            count=Count("*"),
            approved=_money(Sum("approved_amount", filter=Q(state__in=BUDGETED_STATES))),
            paid=_PAID,
        )
        .order_by("-count", "district")
    )


# ── time ───────────────────────────────────────────────────────────────────────────────────

# Each stage: from which moment to which, both on the application. The moments are the latest
# of each stage (a resubmission moves submitted_at), so a stage counts only where it ended
# after it began.
STAGES = (
    ("district", "submitted_at", "municipal_review_at"),
    ("municipal", "municipal_review_at", "approved_at"),
    ("payment", "approved_at", "disbursed_at"),
    ("overall", "first_submitted_at", "disbursed_at"),
)
DAY_SECONDS = 86400.0


class DaysBetween(Func):
    """The days (with their fraction) from the second expression to the first, on PostgreSQL."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    arg_joiner = " - "
    output_field = FloatField()


class Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the two middle values of an even count)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def _stage_ended(start: str, end: str) -> Q:
    return Q(**{f"{start}__isnull": False, f"{end}__gte": F(start)})


_PAID_WITH_LIMIT = Q(
    state=State.DISBURSED, payment_due_at__isnull=False, disbursed_at__isnull=False
)


def processing_times(scope: Scope) -> dict:
    """{stages: [{stage, median_days, count}], paid, paid_within_limit}: the median days each
    stage took, of the applications that went through it, and how many paid applications were
    paid within their window's time limit (paid no later than their ``payment_due_at``)."""
    # Every stage ends after the district's approval, and so does every payment.
    applications = (
        submitted_applications(scope).filter(municipal_review_at__isnull=False).order_by()
    )
    if connection.vendor != "postgresql":
        return _processing_times_in_python(applications)
    aggregates = {}
    for stage, start, end in STAGES:
        ended = _stage_ended(start, end)
        aggregates[f"{stage}_median"] = Median(DaysBetween(F(end), F(start)), filter=ended)
        aggregates[f"{stage}_count"] = Count("state", filter=ended)
    aggregates["paid"] = Count("state", filter=_PAID_WITH_LIMIT)
    aggregates["paid_within_limit"] = Count(
        "state", filter=_PAID_WITH_LIMIT & Q(disbursed_at__lte=F("payment_due_at"))
    )
    row = applications.aggregate(**aggregates)
    return _processing_result(row)


def _processing_times_in_python(applications: QuerySet[Application]) -> dict:
    """The same figures where the database has no median (SQLite, which ``make run`` uses
    without settings): the moments of the applications read in one query, reduced here."""
    moments = sorted({name for _stage, start, end in STAGES for name in (start, end)})
    fields = [*moments, "payment_due_at", "state"]
    rows = applications.values_list(*fields)
    days = {stage: [] for stage, _start, _end in STAGES}
    paid = paid_within_limit = 0
    for values in rows:
        row = dict(zip(fields, values, strict=True))
        for stage, start, end in STAGES:
            if row[start] is not None and row[end] is not None and row[end] >= row[start]:
                days[stage].append((row[end] - row[start]).total_seconds() / DAY_SECONDS)
        if (
            row["state"] == State.DISBURSED
            and row["payment_due_at"] is not None
            and row["disbursed_at"] is not None
        ):
            paid += 1
            paid_within_limit += row["disbursed_at"] <= row["payment_due_at"]
    result = {"paid": paid, "paid_within_limit": paid_within_limit}
    for stage, values in days.items():
        result[f"{stage}_median"] = statistics.median(values) if values else None
        result[f"{stage}_count"] = len(values)
    return _processing_result(result)


def _processing_result(row: dict) -> dict:
    return {
        "stages": [
            {
                "stage": stage,
                "median_days": row[f"{stage}_median"],
                "count": row[f"{stage}_count"],
            }
            for stage, _start, _end in STAGES
        ],
        "paid": row["paid"],
        "paid_within_limit": row["paid_within_limit"],
    }


# ── ratings ────────────────────────────────────────────────────────────────────────────────


def _ratings(scope: Scope) -> QuerySet[Rating]:
    ratings = Rating.objects.order_by()
    if scope.district:
        ratings = ratings.filter(application__district=scope.district)
    return ratings


_RATING = {"count": Count("*"), "average": Avg("score")}


def _withheld(rows) -> list[dict]:
    # Taken out here, so that no cached row, page or download holds a small group's average.
    return [withhold_small_groups(row) for row in rows]


def ratings_by_measure(scope: Scope) -> list[dict]:
    """[{number, title, count, average, withheld}] by measure number; the average None where
    fewer than MIN_RATINGS_SHOWN ratings are behind it (so for every ratings selector)."""
    return _withheld(
        _ratings(scope)
        .values(
            number=F("application__track__measure__number"),
            title=F("application__track__measure__title"),
        )
        .annotate(**_RATING)
        .order_by("number")
    )


def ratings_by_district(scope: Scope) -> list[dict]:
    """[{district, count, average, withheld}], most ratings first."""
    return _withheld(
        _ratings(scope)
        .values(district=F("application__district"))
        .annotate(**_RATING)
        .order_by("-count", "district")
    )


def ratings_by_stage(scope: Scope) -> list[dict]:
    """[{stage, count, average, withheld}] by where the rated application's handling ended."""
    return _withheld(_ratings(scope).values("stage").annotate(**_RATING).order_by("stage"))


# ── the public page ────────────────────────────────────────────────────────────────────────


def public_totals_by_measure() -> list[dict]:
    """[{number, title, count, approved, paid}]: applications approved (or paid) per measure,
    with the amounts; nothing of any one application or enterprise."""
    return list(
        _budgeted(Scope())
        .order_by()
        .values(number=F(MEASURE_NUMBER), title=F(MEASURE_TITLE))
        .annotate(count=Count("*"), approved=_APPROVED, paid=_PAID)
        .order_by("number")
    )


def public_totals_by_district() -> list[dict]:
    """[{district, count, approved, paid}] the same, per district, largest amount first."""
    return list(
        _budgeted(Scope())
        .order_by()
        .values("district")
        .annotate(count=Count("*"), approved=_APPROVED, paid=_PAID)
        .order_by("-approved", "district")
    )
