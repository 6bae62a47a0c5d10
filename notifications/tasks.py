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


@shared_task(acks_late=True)
def drain_outbox() -> int:
    """Deliver every pending event: queued once by a transaction that recorded many."""
    from .services import outbox_drain

    return outbox_drain()


@shared_task
def redeliver_outbox() -> int:
    from .services import outbox_redeliver

    return outbox_redeliver()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def email_pending_notifications() -> int:
    from .services import notifications_email_pending

    return notifications_email_pending()


@shared_task
def remind_window_closing() -> int:
    from .deadlines import remind_window_closing as sweep

    return sweep()


@shared_task
def remind_review_deadlines() -> tuple[int, int]:
    from .deadlines import remind_review_deadlines as sweep

    return sweep()


@shared_task
def remind_payment_limits() -> tuple[int, int]:
    from .deadlines import remind_payment_limits as sweep

    return sweep()


@shared_task
def announce_opened_windows() -> int:
    from .announcements import announce_opened_windows as sweep

    return sweep()


@shared_task(acks_late=True)
def recount_deadlines(years: list[int]) -> tuple[int, int]:
    from .deadlines import deadlines_recount

    return deadlines_recount(years=years)
