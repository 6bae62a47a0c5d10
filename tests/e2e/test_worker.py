"""A real worker on the real Redis: a transition committed here is delivered there."""

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

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL); CI runs it there"
)


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
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]) as running:
            yield running
    finally:
        app.conf.update(saved)


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


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
