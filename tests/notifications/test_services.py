from decimal import Decimal

import pytest
from django.core import mail

from applications import services
from applications.errors import ApplicationError
from applications.models import TransitionLog
from notifications.models import Notification
from notifications.tasks import deliver_events
from tests.applications.factories import draft


def test_submission_notifies_the_enterprise_and_its_district_reviewers_after_commit(
    enterprise_user, district_reviewer, other_district_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks() as callbacks:
        application = services.application_submit(application=application, by=enterprise_user)
        assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {enterprise_user.username, district_reviewer.username}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [enterprise_user.email, district_reviewer.email]
    )
    assert application.reference in mail.outbox[0].subject


def test_a_notification_is_sent_once_however_often_the_task_runs(
    enterprise_user, district_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=enterprise_user)
    entry = TransitionLog.objects.get(application=application)
    sent = len(mail.outbox)

    deliver_events.delay([entry.outbox_event.pk])
    deliver_events.delay([entry.outbox_event.pk])

    assert len(mail.outbox) == sent
    assert Notification.objects.filter(log_entry=entry).count() == 2


def test_internal_comments_reach_officials_but_not_the_enterprise(
    enterprise_user, district_reviewer, municipal_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal("2000000")
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.application_municipal_return(
            application=application,
            by=municipal_reviewer,
            comment="内部：核查关联交易",
            comment_public=False,
        )

    entry = TransitionLog.objects.filter(application=application).last()
    notification = Notification.objects.get(log_entry=entry, recipient=enterprise_user)
    assert "核查关联交易" not in notification.body
    assert "已退回修改" in notification.body


def test_a_refused_transition_queues_nothing(enterprise_user, django_capture_on_commit_callbacks):
    application = draft(user=enterprise_user, documents=False)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ApplicationError):
        services.application_submit(application=application, by=enterprise_user)

    assert callbacks == []


def test_decisions_tell_their_amount_as_every_page_reads_it(
    enterprise_user, district_reviewer, municipal_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_district_approve(
            application=application, by=district_reviewer, amount=Decimal("1234567.89")
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_municipal_approve(
            application=application, by=municipal_reviewer, amount=Decimal("1000000")
        )

    recommended, approved = TransitionLog.objects.filter(application=application).order_by("pk")[1:]
    body = Notification.objects.get(log_entry=recommended, recipient=enterprise_user).body
    assert "区县推荐金额：1,234,567.89元" in body
    body = Notification.objects.get(log_entry=approved, recipient=enterprise_user).body
    assert "核定金额：100万元" in body
    email = next(m for m in mail.outbox if m.to == [enterprise_user.email])
    assert "核定金额：100万元" in email.body
    assert "核定金额：100万元" in email.alternatives[0].content


def test_a_draft_withdrawn_before_its_first_submission_is_named_by_when_it_was_created(
    enterprise_user, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application, by=enterprise_user)

    notification = Notification.objects.get(recipient=enterprise_user)
    assert application.reference is None
    assert notification.title == f"【{application.reference_label}】撤回"
    assert "None" not in mail.outbox[0].subject


def test_emails_greet_by_name(
    enterprise_user, district_reviewer, django_capture_on_commit_callbacks
):
    district_reviewer.first_name = "张敏"
    district_reviewer.save(update_fields=["first_name"])
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=enterprise_user)

    email = next(m for m in mail.outbox if m.to == [district_reviewer.email])
    assert email.body.startswith("张敏，您好：")
    assert "张敏，您好：" in email.alternatives[0].content
    assert f"{district_reviewer.username}，您好" not in email.body


def test_a_reviewers_notification_names_the_enterprise(
    enterprise_user, district_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=enterprise_user)

    name = enterprise_user.enterprise.name
    notification = Notification.objects.get(recipient=district_reviewer)
    assert f"企业：{name}" in notification.body
    email = next(m for m in mail.outbox if m.to == [district_reviewer.email])
    assert f"企业：{name}" in email.body
    # The enterprise knows its own name.
    assert "企业：" not in Notification.objects.get(recipient=enterprise_user).body
