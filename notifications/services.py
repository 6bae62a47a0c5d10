"""Notifications for every transition: delivered from the outbox once per event and person,
their emails sent. The tasks above (notifications.tasks) queue the deliveries; these services
ask for the email task through ``signals.emails_due``."""

import logging
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import OutboxEvent, transition_label
from measures.money import format_yuan
from policy_portal import roles
from ratings.models import STAGE_BY_TRANSITION

from .emails import notification_email_message, site_url
from .models import Notification
from .signals import emails_due

# Who hears of each transition besides the enterprise: the people whose work it creates.
NEXT_ACTORS = {
    "submit": roles.DISTRICT_REVIEWER,
    "resubmit": roles.DISTRICT_REVIEWER,
    "district_approve": roles.MUNICIPAL_REVIEWER,
    "municipal_approve": roles.FINANCE,
    "objection_upheld": roles.MUNICIPAL_REVIEWER,
}


# Events per delivery task when many are recorded at once (a disbursement batch's lines).
CHUNK = 500
# How long a worker may take over one event, or one email (well beyond EMAIL_TIMEOUT), before
# another may take it over.
CLAIM_FOR = timedelta(minutes=5)
EMAIL_CLAIM_FOR = timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_SECONDS)
# Failures after which an event or an email is left to people rather than tried again.
MAX_ATTEMPTS = 10

logger = logging.getLogger(__name__)


def _claimed(model, pk: int, field: str, **pending) -> object | None:
    """Claim row ``pk`` of ``model`` for a while by setting ``field`` to a deadline, if it is
    pending and nobody holds it; returns the deadline, the claim's token, or None."""
    now = timezone.now()
    token = now + (CLAIM_FOR if model is OutboxEvent else EMAIL_CLAIM_FOR)
    attempts = "attempts" if model is OutboxEvent else "email_attempts"
    taken = (
        model.objects.filter(pk=pk, **pending)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now}))
        .update(**{field: token, attempts: F(attempts) + 1})
    )
    return token if taken else None


def outbox_deliver(*, event_ids) -> int:
    """Deliver each pending event of ``event_ids``: create its notifications, one per person,
    mark it delivered, then try their emails. A worker claims an event for a while first, so
    that two never deliver it at once, and only ends a claim it still holds. An event that
    fails is left for the periodic task and the next events are delivered all the same; an
    email that fails is left for the email task, which retries with backoff. Returns how many
    events it delivered."""
    delivered, unsent = 0, False
    for event_id in event_ids:
        token = _claimed(OutboxEvent, event_id, "claimed_until", delivered_at__isnull=True)
        if token is None:
            continue
        held = OutboxEvent.objects.filter(pk=event_id, claimed_until=token)
        try:
            event = OutboxEvent.objects.select_related(
                "log_entry__application__track__measure"
            ).get(pk=event_id)
            notifications = notifications_create_for(entry=event.log_entry)
        except Exception:
            logger.exception("notification event %s could not be delivered", event_id)
            held.update(claimed_until=None)
            continue
        held.update(delivered_at=timezone.now(), claimed_until=None)
        delivered += 1
        for notification in notifications:
            try:
                notification_try_email(notification)
            except Exception:
                logger.warning("email of notification %s failed", notification.pk, exc_info=True)
                unsent = True
    if unsent:
        try:
            emails_due.send(sender=Notification, countdown=60)
        except Exception:  # the periodic email task sends it later
            logger.warning("could not queue the retry of failed emails", exc_info=True)
    return delivered


def outbox_drain(*, limit: int = 200_000) -> int:
    """Deliver the pending events nobody holds, oldest first, in chunks."""
    delivered = 0
    while delivered < limit:
        ids = list(pending_events(timezone.now())[:CHUNK])
        if not ids:
            break
        delivered += outbox_deliver(event_ids=ids)
        if len(ids) < CHUNK:
            break
    return delivered


def pending_events(now):
    """The pks of the events not delivered yet that nobody holds at ``now``, oldest first;
    those that failed MAX_ATTEMPTS times are left to people."""
    return (
        OutboxEvent.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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


def _amount_line(transition: str) -> str:
    """What the amount of a transition is, as its line in the message."""
    if transition == "district_approve":
        return _("区县推荐金额：%(amount)s")
    if transition == "municipal_approve":
        return _("核定金额：%(amount)s")
    if transition == "disburse":
        return _("拨付金额：%(amount)s")
    return _("金额：%(amount)s")


def _message(entry, recipient) -> tuple[str, str]:
    application = entry.application
    title = _("【%(reference)s】%(action)s") % {
        "reference": application.reference_label,
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
    # Officials read many enterprises' applications: say whose this one is.
    if recipient.enterprise_id is None:
        lines.insert(0, _("企业：%(enterprise)s") % {"enterprise": application.enterprise.name})
    if entry.amount is not None:
        lines.append(_amount_line(entry.transition) % {"amount": format_yuan(entry.amount)})
    # Internal comments stay with the officials.
    if entry.comment and (entry.comment_public or recipient.enterprise_id is None):
        lines.append(_("意见：%(comment)s") % {"comment": entry.comment})
    if recipient.enterprise_id is not None and entry.transition in STAGE_BY_TRANSITION:
        lines.append(_rating_invitation(application))
    if recipient.enterprise_id is not None and entry.transition == "payment_failed":
        lines.append(_account_correction())
    return title, "\n".join(lines)


def _account_correction() -> str:
    """The bank returned the money: where the enterprise corrects its account."""
    link = site_url() + reverse("enterprises:profile")
    return _("请核对并更正开户银行和银行账号： %(link)s ，更正后将在后续拨付批次中重新拨付。") % {
        "link": link
    }


def _rating_invitation(application) -> str:
    """Paid or rejected, the enterprise is invited to rate the service, on the application's
    page (the form is there until it has rated)."""
    link = site_url() + reverse("applications:detail", args=[application.pk])
    return _("欢迎对本次服务进行评价： %(link)s") % {"link": link}


def notifications_create_for(*, entry) -> list[Notification]:
    """Each recipient's notification of a log entry; a second run creates nothing again."""
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
        notifications.append(notification)
    return notifications


# A mail server's refusal of the address itself: trying again will not help.
PERMANENT_MAIL_ERRORS = (SMTPRecipientsRefused,)


def notification_try_email(notification: Notification) -> bool:
    """Send one notification's email if it is due, claimed first so that two workers never
    send it twice; a worker only ends a claim it still holds. A refused address gives up at
    once, other failures are counted and raised for a retry, up to MAX_ATTEMPTS."""
    recipient = notification.recipient
    if notification.emailed_at is not None or not recipient.email:
        return False
    if not recipient.email_notifications:
        return False
    token = _claimed(
        Notification,
        notification.pk,
        "email_claimed_until",
        emailed_at__isnull=True,
        email_attempts__lt=MAX_ATTEMPTS,
    )
    if token is None:
        return False
    held = Notification.objects.filter(pk=notification.pk, email_claimed_until=token)
    try:
        notification_email(notification)
    except PERMANENT_MAIL_ERRORS:
        logger.warning("mail server refused %s: notification %s", recipient.email, notification.pk)
        held.update(email_claimed_until=None, email_attempts=MAX_ATTEMPTS)
        return False
    except BaseException:
        held.update(email_claimed_until=None)
        raise
    held.update(email_claimed_until=None)
    return True


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


def notifications_email_pending(*, limit: int = 5000) -> int:
    """Email every notification whose email is due and not held by another worker: reminders
    and escalations, and those of transitions whose first try failed. Each is tried once per
    run; a failure leaves it for the retry, which this raises after trying the others.
    Returns how many went out."""
    now = timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            email_attempts__lt=MAX_ATTEMPTS,
            recipient__email_notifications=True,
            recipient__is_active=True,
        )
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
        .exclude(recipient__email="")
        .select_related("recipient", "application")
        .order_by("pk")[:limit]
    )
    sent, failure = 0, None
    for notification in pending:
        try:
            sent += notification_try_email(notification)
        except Exception as error:  # noqa: BLE001 - raised below, once the others were tried
            failure = failure or error
    if failure is not None:
        raise failure
    return sent


def notifications_drop_for(sender=None, *, user, **kwargs) -> int:
    """A person anonymised (``enterprises.signals.person_anonymised``): their messages and the
    record of the emails sent to them go; what the messages told is kept by the applications'
    log they were made from."""
    deleted, _by_model = Notification.objects.filter(recipient=user).delete()
    return deleted
