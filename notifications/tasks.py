from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_transition_notifications(self, log_entry_id: int) -> int:
    from applications.models import TransitionLog

    from .services import notifications_send_for

    entry = TransitionLog.objects.select_related("application__track__measure").get(pk=log_entry_id)
    return len(notifications_send_for(entry=entry))


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_transition_notifications_many(self, log_entry_ids: list[int]) -> int:
    from applications.models import TransitionLog

    from .services import notifications_send_for

    entries = TransitionLog.objects.select_related("application__track__measure").filter(
        pk__in=log_entry_ids
    )
    return sum(len(notifications_send_for(entry=entry)) for entry in entries)
