"""Thin tasks: they take ids and call the notification services; and what queues them, after
the commit of what they deliver.

Above every other module of the app: the services, sweeps and announcements never import the
tasks, they ask for the email task through ``signals.emails_due`` (connected to
``queue_emails`` in NotificationsConfig.ready)."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import announcements, deadlines, services

# An event not delivered after this long is handed on again by the periodic task.
REDELIVER_AFTER = timedelta(minutes=1)
# Events handed on per run of the periodic task.
REDELIVER_LIMIT = 50_000

logger = logging.getLogger(__name__)


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
    return services.outbox_deliver(event_ids=event_ids)


@shared_task(acks_late=True)
def drain_outbox() -> int:
    """Deliver every pending event: queued once by a transaction that recorded many."""
    return services.outbox_drain()


@shared_task
def redeliver_outbox() -> int:
    return outbox_redeliver()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def email_pending_notifications() -> int:
    return services.notifications_email_pending()


@shared_task
def remind_window_closing() -> int:
    return deadlines.remind_window_closing()


@shared_task
def remind_review_deadlines() -> tuple[int, int]:
    return deadlines.remind_review_deadlines()


@shared_task
def remind_payment_limits() -> tuple[int, int]:
    return deadlines.remind_payment_limits()


@shared_task
def announce_opened_windows() -> int:
    return announcements.announce_opened_windows()


@shared_task(acks_late=True)
def recount_deadlines(years: list[int]) -> tuple[int, int]:
    return deadlines.deadlines_recount(years=years)


def deliver_on_commit(events) -> None:
    """Queue the delivery of ``events`` once their transaction has committed (connected to
    ``events_recorded`` in NotificationsConfig.ready): one message per transaction, however
    many events it recorded, so that a broker that is down costs a request one failed publish."""
    ids = [event.pk for event in events]
    if not ids:
        return
    # robust: a broker that is down must not turn a committed decision into an error page;
    # the events stay in the outbox and the periodic task hands them on.
    if len(ids) <= services.CHUNK:
        transaction.on_commit(lambda: deliver_events.delay(ids), robust=True)
    else:
        transaction.on_commit(drain_outbox.delay, robust=True)


def outbox_redeliver(*, now=None) -> int:
    """Hand on every event still pending a minute after it was recorded (its task was lost:
    the broker was down, or the worker died), unless a worker holds it now; an event that
    failed MAX_ATTEMPTS times is left to people (it stays in the outbox). Returns how many it
    queued, a chunk per task, at most REDELIVER_LIMIT a run."""
    now = now or timezone.now()
    pending = services.pending_events(now).filter(created_at__lte=now - REDELIVER_AFTER)
    ids = list(pending[:REDELIVER_LIMIT])
    for start in range(0, len(ids), services.CHUNK):
        deliver_events.delay(ids[start : start + services.CHUNK])
    if ids:
        logger.info("handed on %d undelivered notification events", len(ids))
    return len(ids)


def queue_emails(sender, *, countdown: int | None = None, **kwargs) -> None:
    """Queue the email task, ``countdown`` seconds later (None: at once): the receiver of
    ``signals.emails_due``."""
    email_pending_notifications.apply_async(countdown=countdown)
