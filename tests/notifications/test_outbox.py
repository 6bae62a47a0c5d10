"""A transactional outbox: what commits is announced once, whatever the broker does; what rolls
back is never announced."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications import services
from applications.models import OutboxEvent, TransitionLog
from notifications import tasks
from notifications.models import Notification
from notifications.services import notifications_email_pending, outbox_deliver
from notifications.tasks import outbox_redeliver
from tests.applications.factories import draft

# Where every email leaves in the tests, whichever helper builds it.
SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing fails as it does when the broker's port is closed."""

    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.deliver_events, "delay", refuse)
    monkeypatch.setattr(tasks.deliver_events, "apply_async", refuse)


def later(minutes=2):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_transition_writes_its_outbox_event_in_its_own_transaction(
    enterprise_user, district_reviewer, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks() as callbacks:
        services.application_submit(application=application, by=enterprise_user)

    event = OutboxEvent.objects.get(log_entry__application=application)
    assert event.delivered_at is None and len(callbacks) == 1
    for callback in callbacks:
        callback()
    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 1


def test_a_rolled_back_transition_leaves_no_event(enterprise_user):
    application = draft(user=enterprise_user)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.application_submit(application=application, by=enterprise_user)
        raise RuntimeError("a later step failed")

    assert not OutboxEvent.objects.exists()
    assert not TransitionLog.objects.exists()


def test_with_the_broker_down_the_transition_succeeds_and_the_event_waits(
    enterprise_user, district_reviewer, broker_down, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(application=application, by=enterprise_user)

    assert submitted.state == "district_review"
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 1
    assert not Notification.objects.exists() and mail.outbox == []


def test_once_the_broker_is_back_the_periodic_task_delivers_exactly_once(
    enterprise_user, district_reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)
    with monkeypatch.context() as outage:
        outage.setattr(tasks.deliver_events, "delay", _refused)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=application, by=enterprise_user)

    assert outbox_redeliver() == 0  # not a minute old yet: its own task may still come
    assert outbox_redeliver(now=later()) == 1
    assert outbox_redeliver(now=later()) == 0

    recipients = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == sorted([enterprise_user.username, district_reviewer.username])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [enterprise_user.email, district_reviewer.email]
    )


def _refused(*args, **kwargs):
    raise OperationalError("[Errno 111] Connection refused")


def test_delivering_an_event_twice_sends_one_email_per_person(
    enterprise_user, district_reviewer, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    event = OutboxEvent.objects.get()

    assert outbox_deliver(event_ids=[event.pk]) == 1
    assert outbox_deliver(event_ids=[event.pk]) == 0
    # A redelivered message whose event was marked done by nobody (the worker died after
    # sending): the notifications exist and were emailed, so nothing goes out again.
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    assert outbox_deliver(event_ids=[event.pk]) == 1

    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_failing_mail_server_delivers_in_app_at_once_and_the_emails_later(
    enterprise_user, district_reviewer, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    event = OutboxEvent.objects.get()

    def smtp_down(backend, messages):
        raise ConnectionRefusedError("SMTP server unreachable")

    with monkeypatch.context() as outage:
        outage.setattr(SEND, smtp_down)
        assert outbox_deliver(event_ids=[event.pk]) == 1
        with pytest.raises(ConnectionRefusedError):
            notifications_email_pending()  # the email task retries with backoff

    event.refresh_from_db()
    assert event.delivered_at is not None and Notification.objects.count() == 2
    assert mail.outbox == []
    assert notifications_email_pending() == 2
    assert notifications_email_pending() == 0
    assert len(mail.outbox) == 2


def test_the_delivery_task_acknowledges_late_and_retries_on_mail_errors():
    assert tasks.deliver_events.acks_late is True
    assert OSError in tasks.deliver_events.autoretry_for


def test_a_mail_server_failing_halfway_resends_only_what_was_not_sent(
    enterprise_user, district_reviewer, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    event = OutboxEvent.objects.get()
    sent_to = []

    def second_fails(backend, messages):
        if sent_to:
            raise ConnectionResetError("SMTP connection lost")
        sent_to.extend(m.to for m in messages)
        return real_send(backend, messages)

    with monkeypatch.context() as flaky:
        flaky.setattr(SEND, second_fails)
        assert outbox_deliver(event_ids=[event.pk]) == 1
    assert len(mail.outbox) == 1
    assert notifications_email_pending() == 1

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [enterprise_user.email, district_reviewer.email]
    )


def test_a_refused_address_is_given_up_without_holding_back_anyone_else(
    enterprise_user,
    other_enterprise_user,
    district_reviewer,
    broker_down,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from smtplib import SMTPRecipientsRefused

    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
        services.application_submit(
            application=draft(user=other_enterprise_user), by=other_enterprise_user
        )

    def refuse_one(backend, messages):
        if any(enterprise_user.email in m.to for m in messages):
            raise SMTPRecipientsRefused({enterprise_user.email: (550, b"no such user")})
        return real_send(backend, messages)

    monkeypatch.setattr(SEND, refuse_one)
    events = list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))

    assert outbox_deliver(event_ids=events) == 2
    assert notifications_email_pending() == 0

    assert Notification.objects.filter(recipient=other_enterprise_user).exists()
    assert enterprise_user.email not in [m.to[0] for m in mail.outbox]
    assert other_enterprise_user.email in [m.to[0] for m in mail.outbox]


def test_an_event_claimed_by_a_live_worker_is_left_to_it(
    enterprise_user, district_reviewer, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    event = OutboxEvent.objects.get()
    OutboxEvent.objects.filter(pk=event.pk).update(claimed_until=later(3))

    assert outbox_deliver(event_ids=[event.pk]) == 0
    # The worker died: once its claim has run out, the event is delivered.
    OutboxEvent.objects.filter(pk=event.pk).update(claimed_until=timezone.now())
    assert outbox_deliver(event_ids=[event.pk]) == 1
    assert len(mail.outbox) == 2


def test_the_lifecycle_does_not_know_how_notifications_are_sent():
    """applications/ records events; notifications/ listens. No import goes the other way."""
    import ast
    from pathlib import Path

    from django.conf import settings

    for path in (Path(settings.BASE_DIR) / "applications").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "notifications" for n in names), path


def test_an_event_a_worker_holds_is_not_handed_on_again(
    enterprise_user, district_reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as outage:
        outage.setattr(tasks.deliver_events, "delay", _refused)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    OutboxEvent.objects.update(claimed_until=later(4))

    assert outbox_redeliver(now=later(2)) == 0
    assert outbox_redeliver(now=later(5)) == 1


def test_a_worker_whose_claim_ran_out_does_not_end_the_next_ones(
    enterprise_user, district_reviewer, broker_down, django_capture_on_commit_callbacks
):
    from notifications.services import _claimed

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    event = OutboxEvent.objects.get()
    stale = _claimed(OutboxEvent, event.pk, "claimed_until", delivered_at__isnull=True)
    OutboxEvent.objects.filter(pk=event.pk).update(claimed_until=timezone.now())  # ran out
    current = _claimed(OutboxEvent, event.pk, "claimed_until", delivered_at__isnull=True)

    # The first worker, late, releases only a claim it still holds: none.
    assert (
        OutboxEvent.objects.filter(pk=event.pk, claimed_until=stale).update(claimed_until=None) == 0
    )
    assert OutboxEvent.objects.get(pk=event.pk).claimed_until == current
