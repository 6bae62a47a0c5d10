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


def test_the_expiry_runs_on_a_schedule(db):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(
        task="applications.tasks.expire_closed_drafts", enabled=True
    ).exists()


def test_files_left_by_a_rolled_back_upload_are_swept(enterprise_user, media_root):
    import os

    import pytest
    from django.db import transaction

    from applications import services
    from applications.models import ApplicationDocument
    from applications.tasks import sweep_orphan_documents
    from tests.applications.factories import pdf_upload

    application = draft(user=enterprise_user, documents=False)
    kept = services.document_add(
        application=application, by=enterprise_user, kind="营业执照", upload=pdf_upload()
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = services.document_add(
            application=application, by=enterprise_user, kind="营业执照", upload=pdf_upload()
        )
        raise RuntimeError("a later step fails")
    assert not ApplicationDocument.objects.filter(pk=lost.pk).exists()
    old = timezone.now().timestamp() - 2 * 3600
    for path in (kept.file.path, lost.file.path):
        os.utime(path, (old, old))

    assert sweep_orphan_documents.delay().get() == 1

    assert os.path.exists(kept.file.path)
    assert not os.path.exists(lost.file.path)
