"""Thin tasks: they take ids and call the notification services."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_events(self, event_ids: list[int]) -> int:
    """Deliver outbox events; running it again for the same events sends nothing twice."""
    from .services import outbox_deliver

    return outbox_deliver(event_ids=event_ids)


@shared_task
def redeliver_outbox() -> int:
    from .services import outbox_redeliver

    return outbox_redeliver()
