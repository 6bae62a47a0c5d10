"""The import of a file in the worker: the upload stages the file and queues its preview; the
preview (the import, rolled back) records what applying would do; the person who uploaded it
confirms, which queues the import itself, all of it or none.

A file of 100,000 rows takes minutes to read, longer than any request may last, so the admin
only stages the file and shows the job's page, which reloads itself while the worker reads.

The import runs in one transaction, so the rows it has read cannot be written to the job's row
as it goes (no one would see them before the end): they are kept in the cache, by job, and the
page reads them there.

A message may reach the worker twice (tasks acknowledge late, so a worker that dies mid-import
has its message delivered again). A preview read twice writes nothing, so it simply runs again
while the job is being previewed. The import takes the job's row lock and checks its state in
the very transaction that writes the batch: a second delivery finds the job applied and does
nothing; a worker that died left nothing written, and the job still to apply."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from policy_portal.logs import log_change

from .imports import import_file
from .models import DataSource, ImportJob, ImportJobState
from .reading import FileRefused

# The rows read so far, kept a day: longer than any import runs.
PROGRESS_SECONDS = 24 * 60 * 60


class ImportJobError(Exception):
    """What the person asked cannot be done: the message says why, in Chinese."""


def _progress_key(job_id: int) -> str:
    return f"departments:import-job:{job_id}:rows"


def rows_read(job: ImportJob) -> int:
    """The rows read so far by the preview or import running for ``job``."""
    if not job.is_running:
        return job.rows_done
    return max(job.rows_done, cache.get(_progress_key(job.pk)) or 0)


def _reporter(job_id: int):
    def report(rows: int) -> None:
        cache.set(_progress_key(job_id), rows, PROGRESS_SECONDS)

    return report


def _take(job: ImportJob, action: str, *, by=None, **kwargs) -> None:
    from_state = job.state
    getattr(job, action)(**kwargs)
    job.save()
    log_change(job, action, by=by, from_state=from_state)


@transaction.atomic
def import_job_create(
    *, source: DataSource, staged_name: str, file_name: str, sha256: str, by
) -> ImportJob:
    """A job for a staged file (``departments.tasks.import_job_start`` queues its preview)."""
    job = ImportJob.objects.create(
        source=source,
        staged_name=staged_name,
        file_name=file_name[:200],
        sha256=sha256,
        requested_by=by,
    )
    log_change(job, "upload", by=by, from_state=job.state)
    # A job of another database sharing the cache may have left rows under this number.
    cache.delete(_progress_key(job.pk))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """The uploader confirms the previewed import. Confirming twice confirms once: the second
    finds the job no longer previewed."""
    # Skipping a locked row: the worker holds it while it imports, and a second press must
    # not wait minutes for it to be told the import was confirmed.
    job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
    if job is None or job.state != ImportJobState.PREVIEWED or not can_proceed(job.confirm):
        raise ImportJobError(_("该导入任务已确认或不能确认。"))
    if not has_transition_perm(job.confirm, by):
        raise PermissionDenied
    _take(job, "confirm", by=by)
    cache.delete(_progress_key(job.pk))
    return job


def _fail(job_id: int, reason: str) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if can_proceed(job.fail):
            _take(job, "fail", reason=reason)


def _staged(job: ImportJob):
    if not default_storage.exists(job.staged_name):
        raise FileRefused(_("待导入的文件已不存在，请重新上传。"))
    return default_storage.open(job.staged_name, "rb")


def import_job_preview(*, job_id: int) -> None:
    """Preview the job's file: the import, rolled back, and what it would do recorded."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state == ImportJobState.QUEUED:
            _take(job, "start_preview")
            cache.delete(_progress_key(job.pk))
        elif job.state != ImportJobState.PREVIEWING:
            return  # delivered again after the preview was recorded
    try:
        with _staged(job) as binary:
            outcome = import_file(
                source=job.source,
                binary=binary,
                file_name=job.file_name,
                by=job.requested_by,
                apply=False,
                progress=_reporter(job.pk),
            )
    except FileRefused as error:
        _fail(job.pk, "；".join(error.messages))
        return
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state == ImportJobState.PREVIEWING:
            _take(job, "finish_preview", outcome=outcome)


def import_job_apply(*, job_id: int) -> None:
    """Import the confirmed job's file: the batch and the job's state in one transaction."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state != ImportJobState.APPLYING:
            return  # delivered again after the import was recorded
        try:
            with transaction.atomic():
                with _staged(job) as binary:
                    outcome = import_file(
                        source=job.source,
                        binary=binary,
                        file_name=job.file_name,
                        by=job.requested_by,
                        apply=True,
                        stored_name=job.staged_name,
                        progress=_reporter(job.pk),
                    )
                if outcome.batch.sha256 != job.sha256:
                    raise FileRefused(_("待导入的文件与预览时的不同，请重新上传。"))
        except FileRefused as error:
            _take(job, "fail", reason="；".join(error.messages))
            return
        _take(job, "finish_apply", batch=outcome.batch)


def import_job_failed(*, job_id: int) -> None:
    """The worker could not finish the job for a reason of its own (logged): the job says so
    rather than stay running."""
    _fail(job_id, _("处理文件时出错，请重新上传；如仍出错，请联系系统管理员。"))
