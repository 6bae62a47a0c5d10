from celery import shared_task


@shared_task
def close_due_publicities() -> tuple[int, int]:
    from .services import publicities_close_due

    return publicities_close_due()
