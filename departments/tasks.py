"""Thin tasks: they take a job's id and call ``departments.jobs``; and what queues them, once
the transaction that recorded the job's state commits (the worker must find it)."""

import logging

from celery import shared_task
from django.db import transaction

from . import jobs
from .models import ImportJob

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def preview_import_job(job_id: int) -> None:
    try:
        jobs.import_job_preview(job_id=job_id)
    except Exception:
        logger.exception("Preview of import job %s failed", job_id)
        jobs.import_job_failed(job_id=job_id)


@shared_task(acks_late=True)
def apply_import_job(job_id: int) -> None:
    try:
        jobs.import_job_apply(job_id=job_id)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        jobs.import_job_failed(job_id=job_id)


@transaction.atomic
def import_job_start(**staged) -> ImportJob:
    """A job for a staged file (``jobs.import_job_create``'s arguments), its preview queued."""
    job = jobs.import_job_create(**staged)
    transaction.on_commit(lambda: preview_import_job.delay(job.pk), robust=True)
    return job


@transaction.atomic
def import_job_apply_confirmed(*, job: ImportJob, by) -> ImportJob:
    """The uploader's confirmation (``jobs.import_job_confirm``), the import queued."""
    job = jobs.import_job_confirm(job=job, by=by)
    transaction.on_commit(lambda: apply_import_job.delay(job.pk), robust=True)
    return job
