"""Every write to an application. Each transition: lock the row, check the permission and the
conditions, transition, save, log, and queue the notifications for after the commit.

One module per job, each importing only the ones listed before it: ``_base`` (the row lock,
the edit checks, taking one transition), ``documents``, ``library``, ``drafts``, ``totals``,
``transitions``, ``bulk`` and ``sweeps``. Callers use the names re-exported here
(``services.application_submit``); a test that replaces one of them here replaces what the views
and tasks call, as they look it up on this package when they run."""

from ._base import LOG_BATCH_SIZE, ZERO
from .bulk import applications_disburse, applications_record_payment_failures
from .documents import DISK_FULL, document_add, document_remove
from .drafts import application_create, application_update_declared
from .library import (
    LIBRARY_FIRST_YEAR,
    library_document_add,
    library_document_attach,
    library_document_remove,
    library_document_replace,
)
from .sweeps import (
    EXPIRE_CHUNK,
    RECOUNT_CHUNK,
    applications_expire_closed_drafts,
    applications_recount_deadlines,
    documents_sweep_orphans,
)
from .totals import window_totals_recount
from .transitions import (
    application_district_approve,
    application_district_reject,
    application_district_return,
    application_expire,
    application_municipal_approve,
    application_municipal_reject,
    application_municipal_return,
    application_objection_upheld,
    application_resubmit,
    application_submit,
    application_withdraw,
)

__all__ = [
    "DISK_FULL",
    "EXPIRE_CHUNK",
    "LIBRARY_FIRST_YEAR",
    "LOG_BATCH_SIZE",
    "RECOUNT_CHUNK",
    "ZERO",
    "application_create",
    "application_district_approve",
    "application_district_reject",
    "application_district_return",
    "application_expire",
    "application_municipal_approve",
    "application_municipal_reject",
    "application_municipal_return",
    "application_objection_upheld",
    "application_resubmit",
    "application_submit",
    "application_update_declared",
    "application_withdraw",
    "applications_disburse",
    "applications_expire_closed_drafts",
    "applications_record_payment_failures",
    "applications_recount_deadlines",
    "document_add",
    "document_remove",
    "documents_sweep_orphans",
    "library_document_add",
    "library_document_attach",
    "library_document_remove",
    "library_document_replace",
    "window_totals_recount",
]
