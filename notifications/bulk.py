"""Notifications written in bulk by the sweeps and the announcements: one of the same text for
each person told, inserted once per event and person, their emails queued after the commit."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from policy_portal.bulk import copy_rows

from .models import Notification
from .signals import emails_due


def local_time(moment) -> str:
    """A moment as the notifications' texts give it, in local time to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def notifications_for(
    people, *, key: str, kind: str, title: str, body: str, application_id: int | None = None
) -> list[Notification]:
    """The notification of one event (``key``) for each user pk of ``people``, unsaved."""
    return [
        Notification(
            recipient_id=user_id,
            key=key,
            kind=kind,
            application_id=application_id,
            title=title,
            body=body,
        )
        for user_id in people
    ]


def save_new(notifications: list[Notification]) -> int:
    """Insert the notifications not already there (the same key for the same person), then
    queue their emails once the transaction commits. Returns how many were new."""
    if not notifications:
        return 0
    # Counted on the sweep's own keys (the unique index on key and recipient answers), not the
    # whole table. The count is for the report (another transaction may insert meanwhile); the
    # emails are queued whatever it says, and the periodic email task sends what a lost message left.
    ours = Notification.objects.filter(key__in={n.key for n in notifications})
    before = ours.count()
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=5000)
    created = max(ours.count() - before, 0)
    transaction.on_commit(lambda: emails_due.send(sender=Notification), robust=True)
    return created


# What ``save_fresh`` is given of each notification, in this order.
FRESH_COLUMNS = ("recipient_id", "key", "kind", "application_id", "title", "body")


def save_fresh(rows: list[tuple]) -> int:
    """Insert the notifications of events no one was told of yet (their keys name rows this
    transaction created, so none can be there): ``rows`` of ``FRESH_COLUMNS``. On PostgreSQL
    by COPY, without counting first what is there; should one be there after all, all go
    through ``save_new``, which passes over it. Their emails are queued once the transaction
    commits. Returns how many were new."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        now = timezone.now()
        try:
            with transaction.atomic():
                copy_rows(
                    Notification,
                    (*FRESH_COLUMNS, "created_at", "email_attempts"),
                    ((*row, now, 0) for row in rows),
                )
        except IntegrityError:
            pass
        else:
            transaction.on_commit(lambda: emails_due.send(sender=Notification), robust=True)
            return len(rows)
    return save_new([Notification(**dict(zip(FRESH_COLUMNS, row, strict=True))) for row in rows])
