"""The application, its state machine, its documents and its append-only log.

One module per group of models; everything other code imports from ``applications.models``
is named here. Every change of ``state`` goes through a ``@transition`` of
``application.Application``, called from a service in ``applications.services`` that locks the
row, checks the permission and writes the log.
"""

# Tests set ``applications.models.timezone.now``: the same module the models read.
from django.utils import timezone

from .application import Application
from .counters import ReferenceCounter, WindowTotals
from .documents import (
    OTHER_DOCUMENT_KIND,
    ApplicationDocument,
    LibraryDocument,
    document_upload_to,
    library_upload_to,
)
from .log import OutboxEvent, TransitionLog
from .proposal_runs import ProposalRun
from .states import (
    BUDGETED_STATES,
    CLOSED_STATES,
    EDITABLE_STATES,
    TRANSITION_LABELS,
    UNPAID_STATES,
    PaymentLimit,
    State,
    reference_label,
    transition_label,
)

__all__ = [
    "BUDGETED_STATES",
    "CLOSED_STATES",
    "EDITABLE_STATES",
    "OTHER_DOCUMENT_KIND",
    "TRANSITION_LABELS",
    "UNPAID_STATES",
    "Application",
    "ApplicationDocument",
    "LibraryDocument",
    "OutboxEvent",
    "PaymentLimit",
    "ProposalRun",
    "ReferenceCounter",
    "State",
    "TransitionLog",
    "WindowTotals",
    "document_upload_to",
    "library_upload_to",
    "reference_label",
    "timezone",
    "transition_label",
]
