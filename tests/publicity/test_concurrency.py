"""Two administrators acting on one 公示 or one objection at the same moment: one wins."""

import pytest
from django.db import connection

from applications.models import Application, State, TransitionLog
from publicity import services
from publicity.models import PublicityLog
from tests.concurrency import run_together
from tests.disbursements.factories import approved_applications
from tests.enterprises.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these there"
)


def test_two_administrators_publishing_at_once_publish_once(committed_data):
    first, second = (UserFactory(is_staff=True, roles=["administrator"]) for _ in range(2))
    applications = approved_applications(1, publicised=False)
    publicity = services.publicity_create(
        window=applications[0].window, measure=applications[0].track.measure, by=first
    )

    outcomes = run_together(
        [
            lambda: services.publicity_publish(publicity=publicity, by=first),
            lambda: services.publicity_publish(publicity=publicity, by=second),
        ]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert PublicityLog.objects.filter(publicity=publicity, action="publish").count() == 1


def test_an_objection_upheld_twice_at_once_moves_the_application_once(committed_data):
    first, second = (UserFactory(is_staff=True, roles=["administrator"]) for _ in range(2))
    applications = approved_applications(1, publicised=False)
    publicity = services.publicity_publish(
        publicity=services.publicity_create(
            window=applications[0].window, measure=applications[0].track.measure, by=first
        ),
        by=first,
    )
    objection = services.objection_lodge(
        publicity=publicity, entry_id=publicity.entries.get().pk, name="李", contact="1", text="x"
    )

    outcomes = run_together(
        [
            lambda: services.objection_decide(
                objection=objection, by=first, outcome="upheld", comment="成立"
            ),
            lambda: services.objection_decide(
                objection=objection, by=second, outcome="dismissed", comment="不成立"
            ),
        ]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    application = Application.objects.get(pk=applications[0].pk)
    upheld = TransitionLog.objects.filter(application=application, transition="objection_upheld")
    assert (application.state == State.MUNICIPAL_REVIEW) == upheld.exists()
    assert upheld.count() <= 1
