"""The import job's steps as the worker and the uploader take them, at the same moment from
several connections: one import, whatever is repeated."""

import threading

import pytest
from django.db import connection, transaction

from departments import jobs, tasks
from departments.models import DepartmentFigure, ImportBatch, ImportJob, ImportJobState
from tests.concurrency import run_together
from tests.enterprises.factories import UserFactory

from .factories import code, csv_bytes, previewed_job, statistics_bureau

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these there"
)


def confirm(job, by):
    try:
        return tasks.import_job_apply_confirmed(job=job, by=by)
    except jobs.ImportJobError as error:
        return error


def test_two_confirmations_at_once_import_once(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    job = previewed_job(
        statistics_bureau(), csv_bytes([[code(1), 2024, "1", "", ""]]), by=administrator
    )

    outcomes = run_together([lambda: confirm(job, administrator)] * 2)

    kinds = sorted(type(result).__name__ for _, result in outcomes)
    assert kinds == ["ImportJob", "ImportJobError"], outcomes
    job.refresh_from_db()
    assert job.state == ImportJobState.APPLIED
    assert ImportBatch.objects.count() == 1 and DepartmentFigure.objects.count() == 1


def test_a_confirmation_while_the_worker_imports_is_told_at_once(
    committed_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    job = previewed_job(
        statistics_bureau(), csv_bytes([[code(1), 2024, "1", "", ""]]), by=administrator
    )
    locked, done = threading.Event(), threading.Event()

    def worker():
        # The worker's hold on the job's row while it imports.
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(jobs.ImportJobError):
            tasks.import_job_apply_confirmed(job=job, by=administrator)
    finally:
        done.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert job.state == ImportJobState.PREVIEWED and not ImportBatch.objects.exists()
