"""Whether an enterprise's applications still need a person who is to be anonymised
(``enterprises.signals.anonymise_requested``).

The rule: an enterprise's user may be anonymised unless the enterprise has an application in
flight (a draft, under review, returned for revision, or approved and not yet paid) and no
other active user to carry it on: someone must answer a return, submit a draft or hear of the
payout. Officials are never refused here: applications are assigned to a district or a
division, never to one official.
"""

from django.utils.translation import gettext as _

from enterprises.models import User

from .models import CLOSED_STATES, Application, State

FINISHED_STATES = (*CLOSED_STATES, State.DISBURSED)


def applications_needing(user: User) -> list[Application]:
    if user.enterprise_id is None or user.is_staff:
        return []
    others = User.objects.filter(enterprise_id=user.enterprise_id, is_active=True).exclude(
        pk=user.pk
    )
    if others.exists():
        return []
    return list(
        Application.objects.filter(enterprise_id=user.enterprise_id)
        .exclude(state__in=FINISHED_STATES)
        .order_by("created_at")
    )


def refuse_while_needed(sender, *, user, **kwargs) -> list[str]:
    """Connected to ``anonymise_requested``."""
    applications = applications_needing(user)
    if not applications:
        return []
    return [
        _(
            "该企业仍有办理中的申报（%(applications)s），且没有其他有效账号可以接续办理，"
            "暂不能匿名化。请先为企业开通其他账号，或待申报办结后再办理。"
        )
        % {"applications": "、".join(a.reference_label for a in applications[:5])}
    ]
