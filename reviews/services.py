"""Review decisions: each one takes the application's transition and records a Review, in one
transaction, through the same services the rest of the product uses."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from applications import services as application_services
from applications.errors import ApplicationError
from applications.models import Application, TransitionLog

from .models import Review


@dataclass(frozen=True)
class DecisionKind:
    transition: str
    stage: str
    decision: str
    service: object
    sets_amount: bool = False


DECISIONS = {
    kind.transition: kind
    for kind in (
        DecisionKind(
            "district_approve",
            Review.Stage.DISTRICT,
            Review.Decision.APPROVE,
            application_services.application_district_approve,
            sets_amount=True,
        ),
        DecisionKind(
            "district_return",
            Review.Stage.DISTRICT,
            Review.Decision.RETURN,
            application_services.application_district_return,
        ),
        DecisionKind(
            "district_reject",
            Review.Stage.DISTRICT,
            Review.Decision.REJECT,
            application_services.application_district_reject,
        ),
        DecisionKind(
            "municipal_approve",
            Review.Stage.MUNICIPAL,
            Review.Decision.APPROVE,
            application_services.application_municipal_approve,
            sets_amount=True,
        ),
        DecisionKind(
            "municipal_return",
            Review.Stage.MUNICIPAL,
            Review.Decision.RETURN,
            application_services.application_municipal_return,
        ),
        DecisionKind(
            "municipal_reject",
            Review.Stage.MUNICIPAL,
            Review.Decision.REJECT,
            application_services.application_municipal_reject,
        ),
    )
}


def suggested_amount(application: Application, transition: str) -> Decimal | None:
    """The amount a decision starts from: the district's recommendation for the municipal
    approval, the calculated amount for the district's."""
    if transition == "municipal_approve":
        return application.recommended_amount or application.calculated_amount
    if transition == "district_approve":
        return application.calculated_amount
    return None


@transaction.atomic
def review_decide(
    *,
    application: Application,
    by,
    transition: str,
    comment: str = "",
    comment_public: bool = True,
    amount: Decimal | None = None,
) -> Review:
    """Take a reviewer's transition and record the decision."""
    kind = DECISIONS.get(transition)
    if kind is None:
        raise ApplicationError(_("未知的审核操作。"))
    arguments = {
        "application": application,
        "by": by,
        "comment": comment,
        "comment_public": comment_public,
    }
    if kind.sets_amount:
        arguments["amount"] = amount
    decided = kind.service(**arguments)
    return Review.objects.get(
        log_entry=TransitionLog.objects.filter(application=decided).latest("pk")
    )


def review_record(*, entry, by) -> Review | None:
    """The Review of a reviewer's transition, written with its log entry whichever service took
    it (connected to ``transition_taken`` in ReviewsConfig.ready)."""
    kind = DECISIONS.get(entry.transition)
    if kind is None:
        return None
    return Review.objects.create(
        application=entry.application,
        reviewer=by,
        stage=kind.stage,
        decision=kind.decision,
        comment=entry.comment,
        comment_public=entry.comment_public,
        amount=entry.amount,
        log_entry=entry,
        created_at=entry.created_at,
    )


@dataclass(frozen=True)
class BulkOutcome:
    application: Application
    review: Review | None
    problem: str = ""


def reviews_decide_many(
    *, applications, by, transition: str, comment: str = "", comment_public: bool = True
) -> list[BulkOutcome]:
    """The same decision on many applications, each in its own transaction; approvals use each
    application's suggested amount. Reports which succeeded and why the others did not."""
    kind = DECISIONS.get(transition)
    outcomes = []
    for application in applications:
        amount = suggested_amount(application, transition)
        if kind is not None and kind.sets_amount and amount is None:
            outcomes.append(
                BulkOutcome(application, None, _("该类别的金额须逐件核定，请打开申报单独审核。"))
            )
            continue
        try:
            review = review_decide(
                application=application,
                by=by,
                transition=transition,
                comment=comment,
                comment_public=comment_public,
                amount=amount,
            )
        except ApplicationError as error:
            outcomes.append(BulkOutcome(application, None, "；".join(error.messages)))
        except PermissionDenied as error:
            outcomes.append(BulkOutcome(application, None, str(error)))
        else:
            outcomes.append(BulkOutcome(application, review))
    return outcomes
