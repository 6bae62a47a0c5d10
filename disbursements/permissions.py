"""Who may do what with a disbursement batch, as plain functions of (batch, user).

The batch's transitions name these as their ``permission``; the admin and the services ask the
same functions. 制单 / 复核: whoever prepared a batch never confirms its payment.
"""

from applications.permissions import may_disburse
from enterprises import roles


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_administrator(user) -> bool:
    return _active(user) and (user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR))


def is_finance(user) -> bool:
    return _active(user) and roles.user_has_role(user, roles.FINANCE)


def can_view_batches(user) -> bool:
    return is_finance(user) or is_administrator(user)


def may_prepare(batch, user) -> bool:
    """Create a batch (``batch`` None), and add, remove and freeze the applications of one's
    own: finance staff. The list is one person's work, so the second person who confirms the
    payment cannot have put a line into it."""
    return is_finance(user) and (batch is None or batch.prepared_by_id == user.pk)


def may_confirm_payment(batch, user) -> bool:
    """A second person confirms the payment: finance staff (administrators too, where the
    setting allows it), never the one who prepared the batch."""
    return may_disburse(None, user) and batch.prepared_by_id != user.pk


def may_cancel(batch, user) -> bool:
    return is_finance(user) or is_administrator(user)
