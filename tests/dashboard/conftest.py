from decimal import Decimal

import pytest

from applications.models import State
from enterprises.districts import District
from ratings.models import RatingStage
from tests.applications.factories import WindowFactory
from tests.enterprises.factories import UserFactory

from .factories import application, rating

YUBEI, JIANGBEI = District.YUBEI, District.JIANGBEI


@pytest.fixture
def city(policy, track):
    """Two districts' applications in one window of measure 2 (budget 5000万元):

    渝北区: one in district review, one approved (1,000,000.50), one paid within its limit
    (2,000,000.25), a draft; 江北区: one paid late (3,000,000.00), one rejected. Days per stage
    (district, municipal, payment): approved 2/3, paid 4/5/6, 江北's paid 10/1/30.
    Ratings: 渝北's paid 5, 江北's paid 2, 江北's rejected 1.
    """
    window = WindowFactory(measure=track(2).measure, total_budget=Decimal("50000000"))
    made = {
        "window": window,
        "a_review": application(state=State.DISTRICT_REVIEW, district=YUBEI, window=window),
        "a_approved": application(
            state=State.APPROVED,
            district=YUBEI,
            window=window,
            amount=Decimal("1000000.50"),
            district_days=2,
            municipal_days=3,
            limit_days=60,
        ),
        "a_paid": application(
            state=State.DISBURSED,
            district=YUBEI,
            window=window,
            amount=Decimal("2000000.25"),
            district_days=4,
            municipal_days=5,
            payment_days=6,
            limit_days=20,
        ),
        "a_draft": application(state=State.DRAFT, district=YUBEI, window=window),
        "b_paid": application(
            state=State.DISBURSED,
            district=JIANGBEI,
            window=window,
            amount=Decimal("3000000.00"),
            district_days=10,
            municipal_days=1,
            payment_days=30,
            limit_days=20,
        ),
        "b_rejected": application(state=State.REJECTED, district=JIANGBEI, window=window),
    }
    rating(made["a_paid"], score=5)
    rating(made["b_paid"], score=2)
    rating(made["b_rejected"], score=1, stage=RatingStage.DISTRICT_REJECTED)
    return made


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])
