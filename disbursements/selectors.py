"""Reads of the batches that other apps show: the payments the bank returned."""

from dataclasses import dataclass

from applications.models import State

from .models import BatchLine, LineStatus


@dataclass(frozen=True)
class ReturnedPayment:
    """A payment the bank returned, for the enterprise to correct its account."""

    reason: str
    batch_number: str
    returned_on: object  # the date the batch's payment was confirmed
    account: str  # the account the money was sent to (the enterprise's own pages only)
    corrected: bool  # the enterprise's bank or account differs from it now


def returned_payments(application_ids) -> dict[int, ReturnedPayment]:
    """Per approved application of ``application_ids`` whose last payment the bank returned
    and that no batch holds since: the bank's reason, the batch, and whether the enterprise
    has changed its account since."""
    lines = (
        BatchLine.objects.filter(
            application_id__in=application_ids,
            status=LineStatus.FAILED,
            application__state=State.APPROVED,
        )
        .exclude(application__disbursement_lines__status=LineStatus.IN_BATCH)
        .order_by("application_id", "-batch__paid_confirmed_at", "-pk")
        .values_list(
            "application_id",
            "failure_reason",
            "batch__number",
            "batch__payment_date",
            "bank_name",
            "bank_account",
            # The accounts are encrypted: compared by their keyed hashes, in the query.
            "bank_account_hash",
            "enterprise__bank_name",
            "enterprise__bank_account_hash",
        )
    )
    returned: dict[int, ReturnedPayment] = {}
    for pk, reason, number, paid_on, bank, account, account_hash, bank_now, hash_now in lines:
        if pk not in returned:
            returned[pk] = ReturnedPayment(
                reason=reason,
                batch_number=number,
                returned_on=paid_on,
                account=account,
                corrected=(bank, account_hash) != (bank_now, hash_now),
            )
    return returned
