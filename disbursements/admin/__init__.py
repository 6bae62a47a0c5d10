"""Finance's workplace: batches built from approved applications, exported, confirmed paid."""

# Importing registers the batch admin, once, and adds finance's action to the application list.
from .actions import InBatchFilter, add_to_disbursement_batch
from .batch import DisbursementBatchAdmin
from .logs import BatchLogAdmin

__all__ = ["BatchLogAdmin", "DisbursementBatchAdmin", "InBatchFilter", "add_to_disbursement_batch"]
