"""What every write to an application shares: the row lock, the checks of who may edit it, and
taking one transition with its log and its events."""

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from .. import permissions
from ..errors import ApplicationError
from ..models import (
    Application,
    OutboxEvent,
    TransitionLog,
    transition_label,
)
from ..signals import events_recorded, transition_taken

# The one logger of all the application services, named as it was before they were split.
logger = logging.getLogger(__package__)


ZERO = Decimal("0")


def _require_member(application: Application, by) -> None:
    if not permissions.is_enterprise_member(application, by):
        raise PermissionDenied(_("只有本企业的用户可以办理。"))


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ApplicationError(
            _("申报当前为“%(state)s”，不能修改。") % {"state": application.get_state_display()}
        )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("track__measure", "window", "enterprise")
        .get(pk=application.pk)
    )


def _take(
    application: Application,
    name: str,
    *,
    by,
    comment: str = "",
    comment_public: bool = True,
    amount: Decimal | None = None,
    before=None,
    allowed=None,
    arguments: dict | None = None,
) -> Application:
    """Take transition ``name``; the caller holds a transaction. ``before(application)`` runs
    before the conditions are checked, ``allowed(application)`` once they hold, just before
    the transition is taken."""
    application = _locked(application)
    method = getattr(application, name)
    label = transition_label(name)
    if not can_proceed(method, check_conditions=False):
        raise ApplicationError(
            _("申报当前为“%(state)s”，不能%(action)s；可能已被他人办理，请刷新后查看。")
            % {"state": application.get_state_display(), "action": label}
        )
    if not permissions.may_take(method, by):
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": label})
    if before is not None:
        before(application)
    if not can_proceed(method):
        problems = []
        if name in ("submit", "resubmit"):
            problems = application.submission_problems(require_open_window=name == "submit")
        raise ApplicationError(*(problems or [_("不满足%(action)s的条件。") % {"action": label}]))
    if allowed is not None:
        allowed(application)
    from_state = application.state
    method(**(arguments or {}))
    now = timezone.now()
    application.state_changed_at = now
    application.save()
    _log(
        [(application, comment, amount)],
        by=by,
        transition=name,
        from_state=from_state,
        to_state=application.state,
        at=now,
        comment_public=comment_public,
    )
    return application


def _log(
    rows, *, by, transition: str, from_state: str, to_state: str, at, comment_public: bool = True
) -> list[TransitionLog]:
    """Log ``transition`` of one application or many at once, (application, comment, amount)
    each; then what a transition announces, for each entry: ``transition_taken`` and its
    outbox event."""
    entries = TransitionLog.objects.bulk_create(
        [
            TransitionLog(
                application=application,
                actor=by,
                transition=transition,
                from_state=from_state,
                to_state=to_state,
                comment=comment,
                comment_public=comment_public,
                amount=amount,
                created_at=at,
            )
            for application, comment, amount in rows
        ],
        batch_size=LOG_BATCH_SIZE,
    )
    for entry in entries:
        transition_taken.send(sender=Application, entry=entry, by=by)
    _record_events(entries)
    return entries


def _record_events(entries: list[TransitionLog]) -> None:
    """The outbox rows of ``entries``, in the caller's transaction; whoever delivers them
    hears of it through ``events_recorded``."""
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(log_entry=entry, created_at=entry.created_at) for entry in entries],
        batch_size=LOG_BATCH_SIZE,
    )
    events_recorded.send(sender=Application, events=events)


# Log rows per INSERT when many are written at once.
LOG_BATCH_SIZE = 5000
