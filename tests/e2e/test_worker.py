"""Celery for real: a worker on the real Redis delivers a committed transition; a broker that
cannot be reached loses nothing."""

import os
import time
import uuid

import pytest
from django.core import mail

from applications import services
from applications.models import OutboxEvent
from notifications.models import Notification
from policy_portal.celery import app
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL); CI runs it there"
)


def route_every_task_to(queue: str | None) -> None:
    """Send every task to the test's own ``queue``, whatever its kind's (settings.TASK_QUEUES);
    None: by kind again."""
    from django.conf import settings

    app.conf.task_routes = (
        {"*": {"queue": queue}} if queue is not None else settings.CELERY_TASK_ROUTES
    )
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def worker(committed_data, settings):
    """A worker thread consuming a queue of this test's own on the configured Redis."""
    from celery.contrib.testing.worker import start_worker

    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_url")
    }
    app.conf.update(
        task_always_eager=False, task_default_queue=queue, broker_url=os.environ["REDIS_URL"]
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    route_every_task_to(queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]) as running:
            yield running
    finally:
        app.conf.update(saved)
        route_every_task_to(None)


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@needs_redis
def test_a_submission_reaches_the_district_reviewer_through_the_worker(worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant = EnterpriseUserFactory()
    reviewer = UserFactory(
        district=applicant.enterprise.district, is_staff=True, roles=["district_reviewer"]
    )

    services.application_submit(application=draft(user=applicant), by=applicant)

    assert wait_for(lambda: len(mail.outbox) == 2), "no email within 20 s"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, reviewer.email])
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        applicant.pk,
        reviewer.pk,
    }
    assert OutboxEvent.objects.get().delivered_at is not None


@pytest.fixture
def closed_broker(committed_data, settings):
    """Publishing for real, to a broker whose port is closed."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}

    def fresh_connections():
        # The app keeps its connection pools: drop them, so the next publish connects anew.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.1},
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fresh_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        fresh_connections()


def test_with_the_broker_unreachable_nothing_is_lost_and_it_comes_once_later(
    closed_broker, settings, tmp_path
):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.tasks import outbox_redeliver

    settings.MEDIA_ROOT = tmp_path
    applicant = EnterpriseUserFactory()
    reviewer = UserFactory(
        district=applicant.enterprise.district, is_staff=True, roles=["district_reviewer"]
    )

    submitted = services.application_submit(application=draft(user=applicant), by=applicant)

    assert submitted.state == "district_review"
    assert OutboxEvent.objects.get().delivered_at is None
    assert mail.outbox == []
    # The broker is back (here: tasks run in process again); the periodic task hands it on.
    app.conf.update(task_always_eager=True)
    assert outbox_redeliver(now=timezone.now() + timedelta(minutes=2)) == 1
    assert outbox_redeliver(now=timezone.now() + timedelta(minutes=3)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, reviewer.email])
    assert Notification.objects.count() == 2


@needs_redis
def test_a_worker_killed_while_sending_sends_nothing_twice_and_its_work_is_taken_over(
    committed_data, settings, tmp_path
):
    import signal
    import subprocess
    import sys

    from django.db import connection

    from notifications.services import notifications_email_pending

    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "policy_portal.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "EMAIL_BACKEND": "tests.e2e.hanging_mail.HangingEmailBackend",
        "NOTIFICATION_EMAIL_CLAIM_SECONDS": "3",
        # The rows the test wrote are encrypted under the test settings' keys.
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS,
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
    }
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "policy_portal",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    app.conf.update(task_always_eager=False, task_default_queue=queue)
    route_every_task_to(queue)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        applicant = EnterpriseUserFactory()
        reviewer = UserFactory(
            district=applicant.enterprise.district, is_staff=True, roles=["district_reviewer"]
        )
        services.application_submit(application=draft(user=applicant), by=applicant)

        # The worker delivers in-app, then hangs in its first email: kill it there.
        assert wait_for(
            lambda: Notification.objects.filter(email_claimed_until__isnull=False).exists(),
            seconds=40,
        ), "the worker never started sending"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        app.conf.update(saved)
        route_every_task_to(None)
        app._pool = None
        app.amqp._producer_pool = None

    assert OutboxEvent.objects.get().delivered_at is not None
    assert Notification.objects.count() == 2
    assert mail.outbox == []
    # Its claim runs out; the email task (here, in this process) sends each email once.
    time.sleep(3.5)
    assert notifications_email_pending() == 2
    assert notifications_email_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, reviewer.email])


@needs_redis
def test_portal_submissions_while_redis_is_down_succeed_and_are_announced_once_it_is_back(
    closed_broker, settings, tmp_path
):
    from datetime import timedelta

    from celery.contrib.testing.worker import start_worker
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from applications.models import Application
    from enterprises.districts import District
    from notifications.tasks import outbox_redeliver
    from tests.enterprises.factories import EnterpriseFactory

    settings.MEDIA_ROOT = tmp_path
    # Redis is the cache as well: down too.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    applicants = [
        EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
        for _ in range(2)
    ]
    reviewer = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    drafts = [draft(user=applicant) for applicant in applicants]

    for applicant, application in zip(applicants, drafts, strict=True):
        client = Client()
        client.force_login(applicant)
        started = time.monotonic()
        response = client.post(reverse("applications:submit", args=[application.pk]))
        assert response.status_code == 302
        assert time.monotonic() - started < 10, "the request waited on the broker"

    assert set(
        Application.objects.filter(pk__in=[a.pk for a in drafts]).values_list("state", flat=True)
    ) == {"district_review"}
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 2
    assert mail.outbox == [] and not Notification.objects.exists()

    # Redis is back: a worker consumes from it, and the periodic task hands on what was left.
    saved_queue = app.conf.task_default_queue
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=os.environ["REDIS_URL"], task_default_queue=queue)
    route_every_task_to(queue)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
            assert outbox_redeliver(now=timezone.now() + timedelta(minutes=2)) == 2
            assert wait_for(lambda: len(mail.outbox) == 4), "no email within 20 s"
            assert outbox_redeliver(now=timezone.now() + timedelta(minutes=3)) == 0
    finally:
        app.conf.update(task_default_queue=saved_queue)
        route_every_task_to(None)

    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    recipients = sorted(Notification.objects.values_list("recipient", flat=True))
    assert recipients == sorted([applicants[0].pk, applicants[1].pk, reviewer.pk, reviewer.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [applicants[0].email, applicants[1].email, reviewer.email, reviewer.email]
    )
