from datetime import timedelta

from django.utils import timezone

from applications.models import State
from applications.tasks import expire_closed_drafts
from tests.applications.factories import draft


def test_expiry_task_expires_drafts_of_closed_windows_only(enterprise_user, other_enterprise_user):
    closing = draft(user=enterprise_user, documents=False)
    still_open = draft(user=enterprise_user, code="ic-design", documents=False)
    submitted_elsewhere = draft(user=other_enterprise_user, window=closing.window)
    from applications import services

    services.application_submit(application=submitted_elsewhere, by=other_enterprise_user)
    window = closing.window
    window.closes_at = timezone.now() - timedelta(minutes=1)
    window.save()

    assert expire_closed_drafts.delay().get() == 1

    for application, state in (
        (closing, State.EXPIRED),
        (still_open, State.DRAFT),
        (submitted_elsewhere, State.DISTRICT_REVIEW),
    ):
        application.refresh_from_db()
        assert application.state == state
    assert expire_closed_drafts.delay().get() == 0


def test_the_expiry_runs_on_a_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "applications.tasks.expire_closed_drafts" in tasks
