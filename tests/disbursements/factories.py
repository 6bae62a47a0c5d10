"""Approved applications and batches for the finance tests."""

import itertools
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, State
from applications.services import window_totals_recount
from disbursements import services
from measures.models import ApplicationWindow, Track
from tests.applications.factories import WindowFactory
from tests.enterprises.factories import EnterpriseFactory, UserFactory
from tests.publicity.factories import closed_publicity

_sequence = itertools.count(500_000)


def approved_applications(
    count: int, *, amount=Decimal("123456.78"), window=None, publicised=True, **enterprise
):
    """``count`` approved applications of as many enterprises, written directly as the state
    machine would have left them (the review services are tested elsewhere, and a thousand
    applications through them would be slow); ``publicised``, through a closed 公示, so that
    finance may batch them."""
    track = Track.objects.select_related("measure").get(code="supply-chain")
    window = window or WindowFactory(measure=track.measure)
    creator = UserFactory()
    now = timezone.now()
    applications = []
    for _ in range(count):
        company = EnterpriseFactory(**enterprise)
        number = next(_sequence)
        applications.append(
            Application(
                reference=f"CQJX-{window.year}-{track.measure.number:02d}-{number:06d}",
                enterprise=company,
                district=company.district,
                track=track,
                window=window,
                declared={},
                calculated_amount=amount,
                recommended_amount=amount,
                approved_amount=amount,
                state=State.APPROVED,
                created_by=creator,
                submitted_at=now,
                municipal_review_at=now,
                approved_at=now,
            )
        )
    applications = Application.objects.bulk_create(applications)
    # Written past the services, so their window's budget totals are counted here.
    window_totals_recount(windows=ApplicationWindow.objects.filter(pk=window.pk))
    if publicised and applications:
        closed_publicity(applications)
    return applications


def finance(**kwargs):
    return UserFactory(is_staff=True, roles=["finance"], **kwargs)


def frozen_batch(applications, *, by):
    batch = services.batch_create(by=by)
    services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in applications]),
        by=by,
    )
    return services.batch_freeze(batch=batch, by=by)
