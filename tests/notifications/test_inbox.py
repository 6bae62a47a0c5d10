"""The reader's writes reach the reader's own notifications and nobody else's."""

from django.utils import timezone

from notifications import inbox
from notifications.models import Notification
from tests.notifications.factories import NotificationFactory


def test_marking_anothers_notification_read_changes_nothing(enterprise_user, district_reviewer):
    theirs = NotificationFactory(recipient=district_reviewer)

    assert inbox.notification_mark_read(notification_id=theirs.pk, user=enterprise_user) is False

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_twice_reports_the_first_time_only(enterprise_user):
    notification = NotificationFactory(recipient=enterprise_user)

    assert inbox.notification_mark_read(notification_id=notification.pk, user=enterprise_user)
    assert not inbox.notification_mark_read(notification_id=notification.pk, user=enterprise_user)


def test_marking_all_read_counts_only_the_users_unread(enterprise_user, district_reviewer):
    NotificationFactory.create_batch(2, recipient=enterprise_user)
    NotificationFactory(recipient=enterprise_user, read_at=timezone.now())
    NotificationFactory(recipient=district_reviewer)

    assert inbox.notifications_mark_all_read(user=enterprise_user) == 2

    assert Notification.objects.filter(read_at__isnull=True).get().recipient == district_reviewer


def test_the_email_preference_is_saved_on_the_user(enterprise_user):
    inbox.notification_email_preference_set(user=enterprise_user, enabled=False)

    enterprise_user.refresh_from_db()
    assert enterprise_user.email_notifications is False
