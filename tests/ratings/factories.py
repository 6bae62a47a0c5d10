"""Applications at the end of their handling, through the services: paid, or rejected at the
district or the municipal level; and ratings of them."""

from datetime import date
from decimal import Decimal

from applications import services
from applications.models import Application
from disbursements import services as disbursement_services
from ratings.models import Rating
from ratings.services import rating_create
from tests.applications.factories import draft
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseUserFactory

AMOUNT = Decimal("2000000")


def paid_application(**enterprise) -> tuple[Application, object]:
    """An application paid through a batch, and a user of its enterprise."""
    application = approved_applications(1, **enterprise)[0]
    user = EnterpriseUserFactory(enterprise=application.enterprise)
    preparer, confirmer = finance(), finance()
    batch = frozen_batch([application], by=preparer)
    disbursement_services.batch_mark_paid(
        batch=batch, by=confirmer, payment_date=date.today(), bank_reference="TEST-0001"
    )
    application.refresh_from_db()
    return application, user


def district_rejected(*, user, district_reviewer) -> Application:
    application = services.application_submit(application=draft(user=user), by=user)
    return services.application_district_reject(
        application=application, by=district_reviewer, comment="不符合申报条件。"
    )


def municipal_rejected(*, user, district_reviewer, municipal_reviewer) -> Application:
    application = services.application_submit(application=draft(user=user), by=user)
    application = services.application_district_approve(
        application=application, by=district_reviewer, amount=AMOUNT
    )
    return services.application_municipal_reject(
        application=application, by=municipal_reviewer, comment="预算不足，不予支持。"
    )


def rating(*, application, user, score: int = 4, comment: str = "") -> Rating:
    return rating_create(application=application, by=user, score=score, comment=comment)
