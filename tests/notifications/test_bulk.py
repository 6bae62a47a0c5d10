"""Notifications written in bulk: a fresh event's are written at once, and never twice."""

import pytest

from notifications.bulk import save_fresh
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def row(user, key: str, title: str = "免申即享：已为您准备好，请确认") -> tuple:
    return (user.pk, key, Notification.Kind.WINDOW_OPENED, None, title, "正文")


def test_fresh_notifications_are_written_once_each(enterprise_user, other_enterprise_user):
    assert (
        save_fresh([row(enterprise_user, "proposal:1"), row(other_enterprise_user, "proposal:2")])
        == 2
    )

    assert sorted(Notification.objects.values_list("recipient_id", "key")) == sorted(
        [(enterprise_user.pk, "proposal:1"), (other_enterprise_user.pk, "proposal:2")]
    )
    written = Notification.objects.get(key="proposal:1")
    assert written.created_at is not None and written.email_attempts == 0
    assert written.read_at is None and written.emailed_at is None


def test_one_already_there_is_passed_over_and_the_rest_written(
    enterprise_user, other_enterprise_user
):
    """Should a key be there after all, nothing is written twice and nothing is lost."""
    save_fresh([row(enterprise_user, "proposal:1", title="先前的通知")])

    assert (
        save_fresh([row(enterprise_user, "proposal:1"), row(other_enterprise_user, "proposal:1")])
        == 1
    )

    assert Notification.objects.filter(key="proposal:1").count() == 2
    assert Notification.objects.get(recipient=enterprise_user).title == "先前的通知"


def test_nothing_to_write_writes_nothing(db):
    assert save_fresh([]) == 0
    assert not Notification.objects.exists()
