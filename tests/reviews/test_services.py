from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from applications import services
from applications.errors import ApplicationError
from applications.models import State
from reviews.models import Review
from reviews.services import review_decide, reviews_decide_many
from tests.applications.factories import draft


@pytest.fixture
def submitted(enterprise_user):
    return services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)


def test_a_decision_takes_the_transition_and_records_one_review(submitted, district_reviewer):
    review = review_decide(
        application=submitted,
        by=district_reviewer,
        transition="district_approve",
        amount=Decimal("1500000"),
        comment="同意",
        comment_public=False,
    )

    submitted.refresh_from_db()
    assert submitted.state == State.MUNICIPAL_REVIEW
    assert (
        review.stage,
        review.decision,
        review.amount,
        review.comment,
        review.comment_public,
    ) == (
        Review.Stage.DISTRICT,
        Review.Decision.APPROVE,
        Decimal("1500000"),
        "同意",
        False,
    )
    assert review.log_entry.application_id == submitted.pk


def test_a_refused_decision_records_nothing(submitted, other_district_reviewer, district_reviewer):
    with pytest.raises(PermissionDenied):
        review_decide(
            application=submitted,
            by=other_district_reviewer,
            transition="district_approve",
            amount=Decimal("1"),
        )
    with pytest.raises(ApplicationError):
        review_decide(
            application=submitted, by=district_reviewer, transition="district_reject", comment=""
        )

    assert not Review.objects.exists()


def test_a_review_cannot_be_changed_or_deleted(submitted, district_reviewer):
    review = review_decide(
        application=submitted, by=district_reviewer, transition="district_return", comment="补充"
    )

    with pytest.raises(PermissionError):
        review.comment = "改"
        review.save()
    with pytest.raises(PermissionError):
        review.delete()
    with pytest.raises(PermissionError):
        Review.objects.filter(pk=review.pk).update(comment="改")
    with pytest.raises(PermissionError):
        Review.objects.all().delete()


def test_many_decisions_report_each_outcome(
    submitted, enterprise_user, district_reviewer, other_enterprise_user
):
    elsewhere = services.application_submit(
        application=draft(user=other_enterprise_user), by=other_enterprise_user
    )

    outcomes = reviews_decide_many(
        applications=[submitted, elsewhere],
        by=district_reviewer,
        transition="district_reject",
        comment="不符合",
    )

    assert [o.review is not None for o in outcomes] == [True, False]
    assert outcomes[1].problem
    elsewhere.refresh_from_db()
    assert elsewhere.state == State.DISTRICT_REVIEW


def test_every_reviewer_decision_is_recorded_whichever_service_takes_it(
    submitted, district_reviewer
):
    services.application_district_approve(
        application=submitted, by=district_reviewer, amount=Decimal("2000000")
    )

    review = Review.objects.get(application=submitted)
    assert (review.stage, review.decision, review.amount) == (
        Review.Stage.DISTRICT,
        Review.Decision.APPROVE,
        Decimal("2000000"),
    )
    # The enterprise's own transitions are not reviews.
    assert Review.objects.count() == 1
