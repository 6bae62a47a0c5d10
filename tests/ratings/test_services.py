"""rating_create: who, when, what, and once per application."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from applications import services as application_services
from ratings.errors import RatingError
from ratings.models import Rating, RatingStage
from ratings.selectors import is_rateable, rating_for, rating_stage_of
from ratings.services import rating_create
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory
from tests.ratings.factories import (
    district_rejected,
    municipal_rejected,
    paid_application,
)

pytestmark = pytest.mark.django_db


def test_the_enterprise_rates_its_paid_application(policy):
    application, user = paid_application()

    rating = rating_create(application=application, by=user, score=4, comment="  办理很快。 ")

    assert (rating.score, rating.comment, rating.stage) == (4, "办理很快。", RatingStage.DISBURSED)
    assert rating.rated_by == user
    assert rating_for(application) == rating


def test_a_district_rejection_is_rated_at_the_district_stage(enterprise_user, district_reviewer):
    application = district_rejected(user=enterprise_user, district_reviewer=district_reviewer)

    rating = rating_create(application=application, by=enterprise_user, score=2)

    assert rating.stage == RatingStage.DISTRICT_REJECTED


def test_a_municipal_rejection_is_rated_at_the_municipal_stage(
    enterprise_user, district_reviewer, municipal_reviewer
):
    application = municipal_rejected(
        user=enterprise_user,
        district_reviewer=district_reviewer,
        municipal_reviewer=municipal_reviewer,
    )

    rating = rating_create(application=application, by=enterprise_user, score=1, comment="太慢")

    assert rating.stage == RatingStage.MUNICIPAL_REJECTED
    assert rating_stage_of(application) == RatingStage.MUNICIPAL_REJECTED


@pytest.mark.parametrize("step", ["draft", "district_review", "returned", "withdrawn"])
def test_an_application_neither_paid_nor_rejected_cannot_be_rated(
    step, enterprise_user, district_reviewer
):
    application = draft(user=enterprise_user)
    if step in ("district_review", "returned"):
        application = application_services.application_submit(
            application=application, by=enterprise_user
        )
    if step == "returned":
        application = application_services.application_district_return(
            application=application, by=district_reviewer, comment="请补充材料。"
        )
    if step == "withdrawn":
        application = application_services.application_withdraw(
            application=application, by=enterprise_user
        )

    assert not is_rateable(application)
    with pytest.raises(RatingError, match="申报拨付或审核不通过后才能评价"):
        rating_create(application=application, by=enterprise_user, score=5)
    assert not Rating.objects.exists()


def test_an_approved_application_not_paid_yet_cannot_be_rated(policy):
    from tests.disbursements.factories import approved_applications

    application = approved_applications(1)[0]
    user = EnterpriseUserFactory(enterprise=application.enterprise)

    with pytest.raises(RatingError):
        rating_create(application=application, by=user, score=5)


def test_an_application_is_rated_once(policy):
    application, user = paid_application()
    colleague = EnterpriseUserFactory(enterprise=application.enterprise)
    rating_create(application=application, by=user, score=4)

    with pytest.raises(RatingError, match="已经评价过"):
        rating_create(application=application, by=colleague, score=1)

    assert Rating.objects.get().score == 4
    assert not is_rateable(application)


def test_another_enterprise_and_officials_may_not_rate(policy, other_enterprise_user):
    application, _user = paid_application()
    administrator = UserFactory(is_staff=True, roles=["administrator"])

    for stranger in (other_enterprise_user, administrator):
        with pytest.raises(PermissionDenied):
            rating_create(application=application, by=stranger, score=5)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, "abc", "", None, 3.5, True, "4.0"])
def test_the_score_is_a_whole_number_from_1_to_5(policy, score):
    application, user = paid_application()

    with pytest.raises(RatingError, match="请选择1至5分的评分"):
        rating_create(application=application, by=user, score=score)


@pytest.mark.parametrize("score", [1, 5, "3"])
def test_scores_from_1_to_5_are_taken(policy, score):
    application, user = paid_application()

    assert rating_create(application=application, by=user, score=score).score == int(score)


def test_a_comment_is_at_most_1000_characters(policy):
    application, user = paid_application()

    with pytest.raises(RatingError, match="不能超过1000个字"):
        rating_create(application=application, by=user, score=3, comment="慢" * 1001)
    rating = rating_create(application=application, by=user, score=3, comment=" " + "慢" * 1000)
    assert len(rating.comment) == 1000


def test_the_database_refuses_a_second_rating_and_a_score_out_of_range(policy):
    application, user = paid_application()
    Rating.objects.create(application=application, score=3, stage="disbursed", rated_by=user)

    with pytest.raises(IntegrityError):
        from django.db import transaction

        with transaction.atomic():
            Rating.objects.create(
                application=application, score=3, stage="disbursed", rated_by=user
            )
    Rating.objects.all().delete()
    with pytest.raises(IntegrityError):
        Rating.objects.create(application=application, score=9, stage="disbursed", rated_by=user)


def test_a_second_rating_that_slips_past_the_check_is_refused_in_chinese(policy, monkeypatch):
    """The one-to-one key is the last guard: its IntegrityError reads as the same refusal."""
    application, user = paid_application()
    Rating.objects.create(application=application, score=3, stage="disbursed", rated_by=user)
    monkeypatch.setattr(
        "ratings.services.Rating.objects.filter",
        lambda **kwargs: Rating.objects.none(),
    )

    with pytest.raises(RatingError, match="已经评价过"):
        rating_create(application=application, by=user, score=5)
