"""Paid or rejected, the enterprise is invited to rate, in the notification of that step."""

import pytest
from django.core import mail
from django.urls import reverse

from applications import services as application_services
from applications.models import TransitionLog
from notifications.services import notification_email, notifications_create_for
from tests.applications.factories import draft
from tests.ratings.factories import district_rejected, municipal_rejected, paid_application

pytestmark = pytest.mark.django_db

INVITATION = "欢迎对本次服务进行评价"


def _notifications(application, transition):
    entry = TransitionLog.objects.filter(application=application, transition=transition).get()
    return notifications_create_for(entry=entry)


def _link(application) -> str:
    return "http://testserver" + reverse("applications:detail", args=[application.pk])


def test_the_payment_notification_invites_the_enterprise_to_rate(policy, settings):
    settings.SITE_URL = "http://testserver"
    application, user = paid_application()

    (notification,) = [
        n for n in _notifications(application, "disburse") if n.recipient_id == user.pk
    ]

    assert f"{INVITATION}： {_link(application)}" in notification.body
    notification_email(notification)
    (email,) = mail.outbox
    assert _link(application) in email.body
    html = email.alternatives[0][0]
    assert f'<a href="{_link(application)}"' in html


@pytest.mark.parametrize("kind", ["district", "municipal"])
def test_a_rejection_invites_the_enterprise_to_rate(
    kind, enterprise_user, district_reviewer, municipal_reviewer
):
    if kind == "district":
        application = district_rejected(user=enterprise_user, district_reviewer=district_reviewer)
    else:
        application = municipal_rejected(
            user=enterprise_user,
            district_reviewer=district_reviewer,
            municipal_reviewer=municipal_reviewer,
        )

    notifications = _notifications(application, f"{kind}_reject")

    assert [n.recipient_id for n in notifications] == [enterprise_user.pk]
    assert INVITATION in notifications[0].body


def test_other_steps_do_not_invite(enterprise_user, district_reviewer, municipal_reviewer):
    application = application_services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    application = application_services.application_district_approve(
        application=application, by=district_reviewer, amount=application.calculated_amount
    )

    for transition in ("submit", "district_approve"):
        for notification in _notifications(application, transition):
            assert INVITATION not in notification.body


def test_officials_told_of_a_payment_are_not_invited(policy):
    """Only the enterprise rates: a reviewer or finance user hearing of the step is not asked."""
    application, user = paid_application()

    for notification in _notifications(application, "disburse"):
        assert (INVITATION in notification.body) == (notification.recipient_id == user.pk)


def test_the_notification_list_links_the_invitation(client, policy, settings):
    settings.SITE_URL = "http://testserver"
    application, user = paid_application()
    _notifications(application, "disburse")
    client.force_login(user)

    page = client.get(reverse("notifications:list")).content.decode()

    # On the site the address reads as a link with words, not as the raw URL.
    detail = reverse("applications:detail", args=[application.pk])
    assert f'<a href="{detail}">查看申报</a>' in page and _link(application) not in page
