"""Applications at any stage, written directly with the moments and amounts a test needs, as
the state machine would have left them (the services are tested elsewhere)."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, State
from applications.services import window_totals_recount
from measures.models import ApplicationWindow, Track
from ratings.models import Rating, RatingStage
from tests.applications.factories import WindowFactory
from tests.enterprises.factories import EnterpriseFactory, UserFactory

_sequence = itertools.count(700_000)
# A fixed moment, so that the days between stages are what the tests say.
START = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


def application(
    *,
    state: str,
    district: str,
    code: str = "supply-chain",
    window: ApplicationWindow | None = None,
    amount: Decimal | None = None,
    district_days: float | None = None,
    municipal_days: float | None = None,
    payment_days: float | None = None,
    limit_days: float | None = None,
    enterprise=None,
) -> Application:
    """One application of a new enterprise in ``district``: submitted at START, then each stage
    taking the given days; ``limit_days`` after START is its time limit to payment."""
    track = Track.objects.select_related("measure").get(code=code)
    window = window or WindowFactory(measure=track.measure)
    company = enterprise or EnterpriseFactory(district=district)
    submitted = None if state == State.DRAFT else START
    municipal = approved = disbursed = None
    if district_days is not None:
        municipal = START + timedelta(days=district_days)
        if municipal_days is not None:
            approved = municipal + timedelta(days=municipal_days)
            if payment_days is not None:
                disbursed = approved + timedelta(days=payment_days)
    number = next(_sequence)
    created = Application.objects.bulk_create(
        [
            Application(
                reference=None
                if submitted is None
                else f"CQJX-2026-{track.measure.number:02d}-{number:06d}",
                enterprise=company,
                district=district,
                track=track,
                window=window,
                declared={},
                calculated_amount=amount,
                recommended_amount=amount,
                approved_amount=amount if state in (State.APPROVED, State.DISBURSED) else None,
                state=state,
                created_by=UserFactory(),
                submitted_at=submitted,
                first_submitted_at=submitted,
                payment_due_at=None if limit_days is None else START + timedelta(days=limit_days),
                municipal_review_at=municipal,
                approved_at=approved,
                disbursed_at=disbursed,
                disbursed_on=disbursed.date() if disbursed else None,
            )
        ]
    )[0]
    window_totals_recount(windows=ApplicationWindow.objects.filter(pk=window.pk))
    return created


def rating(application: Application, *, score: int, stage: str = RatingStage.DISBURSED) -> Rating:
    return Rating.objects.create(
        application=application, score=score, stage=stage, rated_by=application.created_by
    )
