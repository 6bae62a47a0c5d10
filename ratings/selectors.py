"""Reads of ratings: one application's, whether it may be rated, and the averages."""

from django.db.models import Avg, Count, QuerySet

from applications.models import Application, State, TransitionLog

from .models import STAGE_BY_TRANSITION, Rating, RatingStage

RATEABLE_STATES = (State.DISBURSED, State.REJECTED)


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
    return list(
        ratings.order_by()
        .values(*fields)
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by(*fields)
    )


def rating_averages(ratings: QuerySet[Rating]) -> dict:
    """The average score and count of ``ratings`` overall and per measure, district and stage:
    one aggregate query per grouping, each row {..., "average", "count"}."""
    overall = ratings.order_by().aggregate(average=Avg("score"), count=Count("pk"))
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
