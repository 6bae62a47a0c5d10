"""Reads of ratings: one application's, whether it may be rated, and the averages."""

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext as _

from applications.models import Application, State, TransitionLog

from .models import STAGE_BY_TRANSITION, Rating, RatingStage

RATEABLE_STATES = (State.DISBURSED, State.REJECTED)
# Fewer ratings than this in a group, and its average is not shown wherever ratings are
# summed up (the admin's averages, the dashboard's charts, tables and downloads): of one
# district's or measure's one or two ratings, the "average" is an enterprise's own score.
MIN_RATINGS_SHOWN = 5


def withhold_small_groups(row: dict) -> dict:
    """``row`` ({..., "count", "average"}) with its average taken out when fewer than
    MIN_RATINGS_SHOWN ratings are behind it, and ``withheld`` saying so."""
    withheld = 0 < row["count"] < MIN_RATINGS_SHOWN
    return {**row, "average": None if withheld else row["average"], "withheld": withheld}


def withheld_label() -> str:
    """What stands where a withheld average would."""
    return _("不足%(minimum)s条，不予显示") % {"minimum": MIN_RATINGS_SHOWN}


def rating_for(application: Application) -> Rating | None:
    """The application's rating, or None; reads the cached relation when it was fetched."""
    try:
        return application.rating
    except Rating.DoesNotExist:
        return None


def rating_stage_of(application: Application) -> str | None:
    """Where the application's handling ended, for a rating: paid, or rejected at the
    district or the municipal level (by its last rejecting transition); None while it is
    neither paid nor rejected."""
    if application.state == State.DISBURSED:
        return RatingStage.DISBURSED
    if application.state != State.REJECTED:
        return None
    last = (
        TransitionLog.objects.filter(
            application=application, transition__in=("district_reject", "municipal_reject")
        )
        .order_by("-created_at", "-pk")
        .values_list("transition", flat=True)
        .first()
    )
    return STAGE_BY_TRANSITION.get(last)


def is_rateable(application: Application) -> bool:
    """Paid or rejected, and not rated yet: the enterprise is invited to rate."""
    return application.state in RATEABLE_STATES and rating_for(application) is None


def ratings_for_administrators() -> QuerySet[Rating]:
    return Rating.objects.select_related(
        "application__enterprise", "application__track__measure", "rated_by"
    )


def _averages(ratings: QuerySet[Rating], *fields: str) -> list[dict]:
    return [
        withhold_small_groups(row)
        for row in ratings.order_by()
        .values(*fields)
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by(*fields)
    ]


def rating_averages(ratings: QuerySet[Rating]) -> dict:
    """The average score and count of ``ratings`` overall and per measure, district and stage:
    one aggregate query per grouping, each row {..., "average", "count", "withheld"}, the
    average of a group under MIN_RATINGS_SHOWN ratings withheld."""
    overall = withhold_small_groups(
        ratings.order_by().aggregate(average=Avg("score"), count=Count("pk"))
    )
    by_measure = _averages(
        ratings,
        "application__track__measure__number",
        "application__track__measure__title",
    )
    by_district = _averages(ratings, "application__district")
    by_stage = _averages(ratings, "stage")
    return {
        "overall": overall,
        "by_measure": by_measure,
        "by_district": by_district,
        "by_stage": by_stage,
    }
