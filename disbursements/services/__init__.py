"""Every write to a disbursement batch. Each one locks the batch row first, so that two finance
users working on the same batch take turns; transitions are checked, taken and logged here."""

from .batches import (
    AddOutcome,
    batch_add_applications,
    batch_addition_preview,
    batch_cancel,
    batch_create,
    batch_freeze,
    batch_remove_applications,
    payable_applications,
)
from .labels import moment_label, transition_label, unavailable_reason
from .payment import PaidOutcome, batch_mark_paid

__all__ = [
    "AddOutcome",
    "PaidOutcome",
    "batch_add_applications",
    "batch_addition_preview",
    "batch_cancel",
    "batch_create",
    "batch_freeze",
    "batch_mark_paid",
    "batch_remove_applications",
    "moment_label",
    "payable_applications",
    "transition_label",
    "unavailable_reason",
]
