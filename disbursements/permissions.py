"""Who may do what with a disbursement batch, as plain functions of (batch, user).

The batch's transitions name these as their ``permission``; the admin and the services ask the
same functions. 制单 / 复核: whoever prepared a batch never confirms its payment, nor voids it
once it is frozen.
"""

from django.utils.translation import gettext

from applications.permissions import may_disburse
from policy_portal import roles

# The batch's states, as ``models.BatchState`` names them (models imports this module).
DRAFT = "draft"


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
    """Void a batch. A draft is its preparer's work in progress: the preparer or an
    administrator. A frozen batch is about to be paid, and voiding it frees its applications
    for another list: as grave as confirming its payment, so it takes a second person — a
    finance user other than the preparer, or an administrator (who never prepared it)."""
    if not (is_finance(user) or is_administrator(user)):
        return False
    if batch.state == DRAFT:
        return batch.prepared_by_id == user.pk or is_administrator(user)
    return batch.prepared_by_id != user.pk


def cancel_refusal(batch, user) -> str:
    """Why ``user`` may not void ``batch``, in words."""
    if not (is_finance(user) or is_administrator(user)):
        return gettext("您没有权限作废批次。")
    if batch.state == DRAFT:
        return gettext("草稿批次只能由制单人或系统管理员作废。")
    return gettext("制单人不能作废已锁定的本批次，须由另一名财务人员或系统管理员作废。")
