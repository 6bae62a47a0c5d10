from celery import shared_task


@shared_task
def expire_closed_drafts() -> int:
    from .services import applications_expire_closed_drafts

    return applications_expire_closed_drafts()


@shared_task
def sweep_orphan_documents() -> int:
    from .services import documents_sweep_orphans

    return documents_sweep_orphans()


@shared_task
def prepare_proposals(run_id: int) -> int:
    """免申即享: prepare a window's proposals, writing the run's progress as it goes."""
    from .models import ProposalRun
    from .proposals import proposals_prepare

    run = ProposalRun.objects.select_related("window").get(pk=run_id)
    if run.finished_at is not None:
        return 0  # a message delivered twice: the run is done
    return proposals_prepare(window=run.window, run=run)
