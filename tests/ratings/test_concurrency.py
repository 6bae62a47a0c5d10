"""Two users of one enterprise rating one application at the same moment: one rating."""

import pytest
from django.db import connection

from ratings.errors import RatingError
from ratings.models import Rating
from ratings.services import rating_create
from tests.concurrency import run_together
from tests.enterprises.factories import EnterpriseUserFactory
from tests.ratings.factories import paid_application

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these there"
)


def test_two_ratings_sent_at_once_make_one(committed_data):
    application, user = paid_application()
    colleague = EnterpriseUserFactory(enterprise=application.enterprise)

    outcomes = run_together(
        [
            lambda: rating_create(application=application, by=user, score=5),
            lambda: rating_create(application=application, by=colleague, score=1),
        ]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(error for kind, error in outcomes if kind == "refused")
    assert isinstance(refused, RatingError) and "已经评价过" in str(refused)
    assert Rating.objects.filter(application=application).count() == 1
