from celery import shared_task


@shared_task
def expire_closed_drafts() -> int:
    from .services import applications_expire_closed_drafts

    return applications_expire_closed_drafts()
