"""The bank has paid a batch: its applications are disbursed, the lines it returned leave."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import applications_disburse, applications_record_payment_failures
from measures.money import format_yuan_exact

from ..errors import DisbursementError
from ..models import BatchLine, BatchState, DisbursementBatch, LineStatus
from .helpers import _check, _locked, _take, _update_totals


@dataclass(frozen=True)
class PaidOutcome:
    batch: DisbursementBatch
    changed: bool
    paid: int = 0
    failed: int = 0


@transaction.atomic
def batch_mark_paid(
    *,
    batch: DisbursementBatch,
    by,
    payment_date: date,
    bank_reference: str,
    failed: dict[str, str] | None = None,
) -> PaidOutcome:
    """The bank has paid: every line's application moves to disbursed, in one transaction, all
    or none. ``failed`` maps the references of lines the bank returned to the bank's reason:
    those leave the batch, their applications stay approved and their enterprises are told.

    Marking a paid batch paid again changes nothing.
    """
    batch = _locked(batch)
    if batch.state == BatchState.PAID:
        return PaidOutcome(batch, changed=False)
    _check(batch, "mark_paid", by=by)
    bank_reference = (bank_reference or "").strip()
    failed = {ref.strip().upper(): (reason or "").strip() for ref, reason in (failed or {}).items()}
    problems = []
    if not bank_reference:
        problems.append(_("请填写银行流水号。"))
    if payment_date is None:
        problems.append(_("请填写拨付日期。"))
    elif payment_date > timezone.localdate():
        problems.append(_("拨付日期不能晚于今天。"))
    elif batch.frozen_at and payment_date < timezone.localdate(batch.frozen_at):
        problems.append(_("拨付日期不能早于批次锁定日期。"))
    live = batch.lines.filter(status=LineStatus.IN_BATCH)
    failed_lines = list(live.filter(reference__in=failed).select_related("application"))
    unknown = set(failed) - {line.reference for line in failed_lines}
    if unknown:
        problems.append(
            _("以下申报编号不在本批次中：%(refs)s。") % {"refs": "、".join(sorted(unknown))}
        )
    if any(not reason for reason in failed.values()):
        problems.append(_("请为每笔失败明细填写银行退回的原因。"))
    reason_max = BatchLine._meta.get_field("failure_reason").max_length
    if any(len(reason) > reason_max for reason in failed.values()):
        problems.append(_("银行退回的原因最多%(max)d个字。") % {"max": reason_max})
    if failed and len(failed_lines) == batch.line_count:
        problems.append(_("全部明细均失败时请作废本批次，而不是确认拨付。"))
    if problems:
        raise DisbursementError(*problems)

    failed_count = len(failed_lines)
    if failed_lines:
        for line in failed_lines:
            line.status = LineStatus.FAILED
            line.failure_reason = failed[line.reference]
        BatchLine.objects.bulk_update(failed_lines, ["status", "failure_reason"])
        applications_record_payment_failures(
            failures={
                line.application: _("拨付批次%(number)s：银行退回，原因：%(reason)s。")
                % {"number": batch.number, "reason": line.failure_reason}
                for line in failed_lines
            },
            by=by,
        )
        _update_totals(batch)
    entries = applications_disburse(
        applications=Application.objects.filter(
            disbursement_lines__batch=batch, disbursement_lines__status=LineStatus.IN_BATCH
        ),
        by=by,
        paid_on=payment_date,
        comment=_("拨付批次%(number)s，银行流水号%(reference)s。")
        % {"number": batch.number, "reference": bank_reference},
    )
    if len(entries) != batch.line_count:
        raise DisbursementError(_("批次明细与申报不一致，未做任何拨付。"))
    comment = _("%(count)d笔，合计%(total)s，银行流水号%(reference)s") % {
        "count": batch.line_count,
        "total": format_yuan_exact(batch.total_amount),
        "reference": bank_reference,
    }
    if failed_lines:
        comment += _("；银行退回%(count)d笔：%(refs)s") % {
            "count": failed_count,
            "refs": "、".join(line.reference for line in failed_lines),
        }
    _take(
        batch,
        "mark_paid",
        by=by,
        comment=comment,
        payment_date=payment_date,
        bank_reference=bank_reference,
    )
    return PaidOutcome(batch, changed=True, paid=len(entries), failed=failed_count)
