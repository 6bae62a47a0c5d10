from celery import shared_task


@shared_task
def expire_closed_drafts() -> int:
    from .services import applications_expire_closed_drafts

    return applications_expire_closed_drafts()


@shared_task
def sweep_orphan_documents() -> int:
    from .services import documents_sweep_orphans

    return documents_sweep_orphans()
