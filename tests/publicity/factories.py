"""公示 for tests: closed ones that clear approved applications for payment, written directly,
and a published one with an objection lodged, made through the services."""

from datetime import timedelta

from django.utils import timezone

from publicity import services
from publicity.models import Objection, Publicity, PublicityEntry, PublicityState
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


def published_with_objection(by, *, contact="13800000000") -> tuple[Publicity, Objection]:
    """A 公示 of one approved application, published by ``by``, and an objection the public
    lodged against its one line."""
    # Those factories close 公示 with the one above: imported when called.
    from tests.disbursements.factories import approved_applications

    applications = approved_applications(1, publicised=False)
    publicity = services.publicity_publish(
        publicity=services.publicity_create(
            window=applications[0].window, measure=applications[0].track.measure, by=by
        ),
        by=by,
    )
    objection = services.objection_lodge(
        publicity=publicity,
        entry_id=publicity.entries.get().pk,
        name="李明",
        contact=contact,
        text="虚报",
    )
    return publicity, objection
