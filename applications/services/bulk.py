"""Transitions taken on many applications at once: the disbursement of a paid batch and the
payment failures finance records."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from .. import permissions
from ..errors import ApplicationError
from ..models import (
    Application,
    State,
    TransitionLog,
    transition_label,
)
from ._base import ZERO, _log
from .totals import _window_totals_add


def _take_many(
    locked: list[Application], name: str, *, by, comment: str, at, scope=None, **arguments
):
    """Take transition ``name`` on every locked application at once.

    Each row passes through the state machine in memory (its permission and conditions checked
    as for one); the result, the same for every row, is written in one UPDATE guarded by the
    source state, as ConcurrentTransitionMixin guards one row, and the log entries and outbox
    events in bulk. The queries do not grow with the number of applications, except the
    inserts of the log rows. All or none: any row that cannot take it aborts the whole call.
    ``scope``, a query of exactly the locked rows, spares the UPDATE a list of their ids.
    """
    blocked = []
    from_state = locked[0].state
    for application in locked:
        method = getattr(application, name)
        if application.state != from_state or not can_proceed(method):
            blocked.append(
                _("%(reference)s 当前为“%(state)s”，不能%(action)s。")
                % {
                    "reference": application.reference_label,
                    "state": application.get_state_display(),
                    "action": transition_label(name),
                }
            )
        elif not permissions.may_take(method, by):
            raise PermissionDenied(_("您没有权限%(action)s。") % {"action": transition_label(name)})
        else:
            method(at=at, **arguments)
            application.state_changed_at = at
    if blocked:
        raise ApplicationError(*blocked)
    fields = _BULK_FIELDS[name]
    values = {field: getattr(locked[0], field) for field in fields}
    assert all(getattr(a, field) == values[field] for a in locked for field in fields)
    ids = scope.values("pk") if scope is not None else [a.pk for a in locked]
    updated = Application.objects.filter(pk__in=ids, state=from_state).update(
        **values, updated_at=at
    )
    if updated != len(locked):
        # Cannot happen while the rows are locked; if it ever does, nothing changes.
        raise ApplicationError(_("申报状态已被他人更改，请刷新后重试。"))
    return _log(
        [(application, comment, application.approved_amount) for application in locked],
        by=by,
        transition=name,
        from_state=from_state,
        to_state=locked[0].state,
        at=at,
    )


# What each transition taken in bulk sets, the same for every row it is taken on.
_BULK_FIELDS = {
    "disburse": ("state", "disbursed_on", "disbursed_at", "due_at", "state_changed_at"),
    "expire": ("state", "closed_at", "due_at", "state_changed_at"),
}


@transaction.atomic
def applications_disburse(
    *, applications: QuerySet, by, paid_on, comment: str = ""
) -> list[TransitionLog]:
    """Take ``disburse`` on every application of ``applications`` at once (a batch's paid
    lines), as ``_take_many`` does."""
    locked = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=applications.values("pk"))
        .only("pk", "reference", "state", "enterprise_id", "window_id", "approved_amount", "due_at")
        .order_by("pk")
    )
    if not locked:
        return []
    entries = _take_many(
        locked,
        "disburse",
        by=by,
        comment=comment,
        at=timezone.now(),
        scope=applications,
        paid_on=paid_on,
    )
    paid: dict[int, Decimal] = {}
    for application in locked:
        paid[application.window_id] = paid.get(application.window_id, ZERO) + (
            application.approved_amount or ZERO
        )
    _window_totals_add({window_id: (-amount, amount) for window_id, amount in paid.items()})
    return entries


@transaction.atomic
def applications_record_payment_failures(*, failures: dict, by) -> list[TransitionLog]:
    """Tell each enterprise why the bank returned its payment: {application: reason}. The
    application stays approved, to be paid in a later batch; the entry is on its timeline."""
    return _log(
        [
            (application, reason, application.approved_amount)
            for application, reason in failures.items()
        ],
        by=by,
        transition="payment_failed",
        from_state=State.APPROVED,
        to_state=State.APPROVED,
        at=timezone.now(),
    )
