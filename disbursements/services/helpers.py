"""The steps every batch write shares: numbering, locking the row, checking and taking a
transition, logging it, and keeping the batch's totals."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from applications.permissions import may_take
from measures.money import round_to_fen
from policy_portal.logs import log_change

from .. import permissions
from ..errors import BatchUnavailable, DisbursementError
from ..models import BatchCounter, BatchState, DisbursementBatch, LineStatus
from .labels import transition_label, unavailable_reason


def _next_number(year: int) -> str:
    counter, _created = BatchCounter.objects.get_or_create(year=year)
    BatchCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"BF-{year}-{counter.last:04d}"


def _locked(batch: DisbursementBatch) -> DisbursementBatch:
    return DisbursementBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def _require_draft(batch: DisbursementBatch, by) -> None:
    if not permissions.may_prepare(None, by):
        raise PermissionDenied(_("只有财务人员可以编制拨付批次。"))
    if not permissions.may_prepare(batch, by):
        raise PermissionDenied(_("只有制单人可以修改本批次。"))
    if batch.state != BatchState.DRAFT:
        raise DisbursementError(
            _("批次%(number)s当前为“%(state)s”，只有草稿批次可以增减申报。")
            % {"number": batch.number, "state": batch.get_state_display()}
        )


def _update_totals(batch: DisbursementBatch) -> None:
    totals = batch.lines.filter(status=LineStatus.IN_BATCH).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    batch.line_count = totals["count"]
    batch.total_amount = round_to_fen(Decimal(totals["total"] or 0))


def _lines_changed(batch: DisbursementBatch, action: str, *, by, comment: str) -> None:
    """After lines were added to a draft or removed from it: its totals counted again and
    saved, and the change in its log."""
    _update_totals(batch)
    batch.save(update_fields=["line_count", "total_amount"])
    log_change(batch, action, by=by, from_state=batch.state, comment=comment)


def _check(batch: DisbursementBatch, name: str, *, by) -> None:
    """Refuse transition ``name`` if the batch's state or the person does not allow it."""
    method = getattr(batch, name)
    if not can_proceed(method, check_conditions=False):
        raise BatchUnavailable(unavailable_reason(batch, name))
    if not may_take(method, by):
        if name == "mark_paid" and batch.prepared_by_id == getattr(by, "pk", None):
            raise PermissionDenied(_("制单人不能确认本批次拨付，须由另一名财务人员复核确认。"))
        if name == "cancel":
            raise PermissionDenied(permissions.cancel_refusal(batch, by))
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": transition_label(name)})


def _take(batch: DisbursementBatch, name: str, *, by, comment: str = "", **arguments):
    """Take transition ``name`` on a locked batch, save it and log it."""
    _check(batch, name, by=by)
    method = getattr(batch, name)
    if not can_proceed(method):
        raise BatchUnavailable(unavailable_reason(batch, name))
    from_state = batch.state
    method(by=by, **arguments)
    batch.save()
    log_change(batch, name, by=by, from_state=from_state, comment=comment)
    return batch


def _references(applications, limit: int = 20) -> str:
    references = [a.reference for a in applications[:limit]]
    more = len(applications) - limit
    return "、".join(references) + (_("等") if more > 0 else "")
