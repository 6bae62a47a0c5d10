import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("申报办理")

    def ready(self) -> None:
        from enterprises.signals import anonymise_requested

        from .anonymising import refuse_while_needed

        anonymise_requested.connect(
            refuse_while_needed, dispatch_uid="applications.refuse_anonymise"
        )

        from departments.signals import batch_applied

        def prepare_proposals(sender, *, batch, **kwargs):
            # New department data: the open windows' 免申即享 proposals, in the worker. Sent
            # inside the import's transaction: a failure here is logged in a savepoint of its
            # own and never refuses the departments' data.
            from django.db import transaction

            from .tasks import proposal_runs_after_import

            try:
                with transaction.atomic():
                    proposal_runs_after_import(batch=batch)
            except Exception:
                logger.exception("免申即享 not started after import batch %s", batch.pk)

        batch_applied.connect(prepare_proposals, weak=False, dispatch_uid="applications.proposals")
