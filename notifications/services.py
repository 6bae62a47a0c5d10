"""Notifications for every transition: queued after the commit, sent once per event and person."""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import OutboxEvent, transition_label
from enterprises import roles

from .emails import notification_email_message
from .models import Notification

# Who hears of each transition besides the enterprise: the people whose work it creates.
NEXT_ACTORS = {
    "submit": roles.DISTRICT_REVIEWER,
    "resubmit": roles.DISTRICT_REVIEWER,
    "district_approve": roles.MUNICIPAL_REVIEWER,
    "municipal_approve": roles.FINANCE,
}


# Events per delivery task when many are recorded at once (a disbursement batch's lines).
CHUNK = 500
# An event not delivered after this long is handed on again by the periodic task.
REDELIVER_AFTER = timedelta(minutes=1)
# How long a worker may take over one event before another may take it over.
CLAIM_FOR = timedelta(minutes=5)

logger = logging.getLogger(__name__)


def deliver_on_commit(events) -> None:
    """Queue the delivery of ``events`` once their transaction has committed (connected to
    ``events_recorded`` in NotificationsConfig.ready)."""
    from .tasks import deliver_events

    ids = [event.pk for event in events]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # robust: a broker that is down must not turn a committed decision into an error page;
        # the events stay in the outbox and the periodic task hands them on.
        transaction.on_commit(lambda chunk=chunk: deliver_events.delay(chunk), robust=True)


def outbox_deliver(*, event_ids) -> int:
    """Deliver each pending event of ``event_ids``: its notifications, created once per person,
    and their emails. A worker claims an event for a while first, so that two never deliver
    it at once; each email is marked sent as soon as it is, so that a retry after a failure
    halfway sends only what was not sent. Delivered events are skipped. Returns how many it
    delivered."""
    delivered = 0
    for event_id in event_ids:
        now = timezone.now()
        claimed = (
            OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1)
        )
        if not claimed:
            continue
        event = OutboxEvent.objects.select_related("log_entry__application__track__measure").get(
            pk=event_id
        )
        try:
            notifications_send_for(entry=event.log_entry)
        except BaseException:
            OutboxEvent.objects.filter(pk=event_id).update(claimed_until=None)
            raise
        OutboxEvent.objects.filter(pk=event_id).update(
            delivered_at=timezone.now(), claimed_until=None
        )
        delivered += 1
    return delivered


def outbox_redeliver(*, now=None) -> int:
    """Hand on every event still pending a minute after it was recorded (its task was lost:
    the broker was down, or the worker died). Returns how many it queued."""
    from .tasks import deliver_events

    cutoff = (now or timezone.now()) - REDELIVER_AFTER
    ids = list(
        OutboxEvent.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        deliver_events.delay(ids[start : start + CHUNK])
    if ids:
        logger.info("handed on %d undelivered notification events", len(ids))
    return len(ids)


def _recipients(entry):
    User = get_user_model()
    application = entry.application
    people = Q(enterprise_id=application.enterprise_id, groups__name=roles.ENTERPRISE)
    role = NEXT_ACTORS.get(entry.transition)
    if role == roles.DISTRICT_REVIEWER:
        people |= Q(groups__name=role, district=application.district)
    elif role == roles.MUNICIPAL_REVIEWER:
        people |= Q(groups__name=role, divisions=application.track.measure.division_id)
    elif role == roles.FINANCE:
        people |= Q(groups__name=role)
    return User.objects.filter(people, is_active=True).distinct()


def _message(entry, recipient) -> tuple[str, str]:
    application = entry.application
    title = _("【%(reference)s】%(action)s") % {
        "reference": application.reference,
        "action": transition_label(entry.transition),
    }
    lines = [
        _("申报：%(measure)s · %(track)s")
        % {
            "measure": application.track.measure,
            "track": application.track.name,
        },
        _("状态：%(state)s") % {"state": entry.to_state_label},
    ]
    # Internal comments stay with the officials.
    if entry.comment and (entry.comment_public or recipient.enterprise_id is None):
        lines.append(_("意见：%(comment)s") % {"comment": entry.comment})
    return title, "\n".join(lines)


def notifications_send_for(*, entry) -> list[Notification]:
    """Create each recipient's notification of a log entry and email it; a second run creates
    and sends nothing again."""
    notifications = []
    for recipient in _recipients(entry):
        title, body = _message(entry, recipient)
        notification, _created = Notification.objects.get_or_create(
            key=f"log:{entry.pk}",
            recipient=recipient,
            defaults={
                "title": title,
                "body": body,
                "kind": Notification.Kind.TRANSITION,
                "application_id": entry.application_id,
                "log_entry": entry,
            },
        )
        notification.recipient = recipient
        notification_email(notification)
        notifications.append(notification)
    return notifications


def notification_email(notification: Notification) -> bool:
    """Email one notification (text and HTML, from notifications/email/*) unless it went out
    already, its recipient has no address or turned email off; marked sent at once, so that a
    retry after a failure sends only what was not sent."""
    recipient = notification.recipient
    if notification.emailed_at is not None or not recipient.email:
        return False
    if not recipient.email_notifications:
        return False
    notification_email_message(notification).send(fail_silently=False)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
