"""公示 for tests: closed ones that clear approved applications for payment, written directly."""

from datetime import timedelta

from django.utils import timezone

from publicity.models import Publicity, PublicityEntry, PublicityState
from publicity.selectors import next_publicity_number
from tests.enterprises.factories import UserFactory


def closed_publicity(applications, *, by=None) -> Publicity:
    """A closed 公示 without objections holding ``applications`` (of one window and measure), as
    the services would have left it: past its period, so finance may batch them."""
    applications = list(applications)
    first = applications[0]
    now = timezone.now()
    publicity = Publicity.objects.create(
        title="公示",
        window_id=first.window_id,
        measure_id=first.track.measure_id,
        number=next_publicity_number(window=first.window_id, measure=first.track.measure_id),
        state=PublicityState.CLOSED,
        created_by=by or UserFactory(),
        published_at=now - timedelta(days=20),
        ends_at=now - timedelta(days=10),
        closed_at=now,
    )
    PublicityEntry.objects.bulk_create(
        [
            PublicityEntry(
                publicity=publicity,
                application_id=application.pk,
                enterprise_name="企业",
                measure_label="条款",
                track_name="类别",
                approved_amount=application.approved_amount,
            )
            for application in applications
        ],
        batch_size=5000,
    )
    return publicity
