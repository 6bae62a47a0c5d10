"""The reader's own writes: marking notifications read, and whether they also come by email.

Every function takes the user and touches only that user's rows, so that no id passed in can
reach anyone else's."""

from django.db import transaction
from django.utils import timezone

from enterprises.models import User

from .models import Notification


@transaction.atomic
def notification_mark_read(*, notification_id: int, user: User) -> bool:
    """Mark one of the user's notifications read; False if it is not theirs or was read already
    (its first reading time is kept)."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_email_preference_set(*, user: User, enabled: bool) -> User:
    """Turn the user's notification emails on or off; the in-app notifications stay either way."""
    User.objects.filter(pk=user.pk).update(email_notifications=enabled)
    user.email_notifications = enabled
    return user
