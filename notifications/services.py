"""Notifications for every transition: queued after the commit, sent once per event and person."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import roles

from .models import Notification

# Who hears of each transition besides the enterprise: the people whose work it creates.
NEXT_ACTORS = {
    "submit": roles.DISTRICT_REVIEWER,
    "resubmit": roles.DISTRICT_REVIEWER,
    "district_approve": roles.MUNICIPAL_REVIEWER,
    "municipal_approve": roles.FINANCE,
}


def notify_on_commit(entry) -> None:
    """Queue the notifications of ``entry`` once its transaction has committed."""
    from .tasks import send_transition_notifications

    # robust: a broker that is down must not turn a committed decision into an error page; the
    # failure is logged and the notification rows can be sent again from the log entry.
    transaction.on_commit(lambda: send_transition_notifications.delay(entry.pk), robust=True)


# Entries per task when many are queued at once (a disbursement batch's lines).
MANY_CHUNK = 500


def notify_many_on_commit(entries) -> None:
    """Queue the notifications of many entries of one transaction, a task per chunk of them."""
    from .tasks import send_transition_notifications_many

    ids = [entry.pk for entry in entries]
    for start in range(0, len(ids), MANY_CHUNK):
        chunk = ids[start : start + MANY_CHUNK]
        transaction.on_commit(
            lambda chunk=chunk: send_transition_notifications_many.delay(chunk), robust=True
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


def _message(entry, recipient) -> tuple[str, str]:
    from applications.services import transition_label

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
    """Create each recipient's notification and email it; a second run sends nothing again."""
    sent = []
    for recipient in _recipients(entry):
        title, body = _message(entry, recipient)
        notification, created = Notification.objects.get_or_create(
            log_entry=entry, recipient=recipient, defaults={"title": title, "body": body}
        )
        if not created and notification.emailed_at is not None:
            continue
        if recipient.email:
            send_mail(title, body, None, [recipient.email], fail_silently=False)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent.append(notification)
    return sent
