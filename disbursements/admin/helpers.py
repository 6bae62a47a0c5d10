"""What the batch pages and the application list's action share: the batch's address and how
outcomes and a confirmation someone else made first are reported."""

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext

from policy_portal.roles import person_label

from .. import services

# The lines a batch's page, and the page that confirms its payment, list at a time.
LINES_PER_PAGE = 100


def _batch_url(batch) -> str:
    return reverse("admin:disbursements_disbursementbatch_change", args=[batch.pk])


def _report_outcomes(modeladmin, request, batch, outcomes) -> None:
    added = [o.reference for o in outcomes if o.added]
    if added:
        modeladmin.message_user(
            request,
            gettext("已将 %(count)d 件申报加入拨付批次 %(number)s：%(refs)s")
            % {"number": batch.number, "count": len(added), "refs": "、".join(added[:50])},
            messages.SUCCESS,
        )
    for outcome in outcomes:
        if not outcome.added:
            modeladmin.message_user(
                request,
                gettext("%(reference)s（%(enterprise)s）未加入：%(problem)s")
                % {
                    "reference": outcome.reference,
                    "enterprise": outcome.enterprise,
                    "problem": outcome.problem,
                },
                messages.ERROR,
            )


def _already_paid(batch, typed_reference: str) -> str:
    """For whoever confirms a batch someone else confirmed first: who, when, the bank's
    reference on record, and that the one they typed, if other, was not recorded."""
    text = gettext(
        "批次%(number)s已于%(when)s由%(person)s确认拨付，记录的银行流水号为%(reference)s；"
        "您的确认未作任何更改。"
    ) % {
        "number": batch.number,
        "when": services.moment_label(batch.paid_confirmed_at),
        "person": person_label(batch.paid_confirmed_by),
        "reference": batch.bank_reference,
    }
    typed = (typed_reference or "").strip()
    if typed and typed != batch.bank_reference:
        text += gettext("您填写的银行流水号%(typed)s未被记录。") % {"typed": typed}
    return text


class _NothingAdded(Exception):
    pass
