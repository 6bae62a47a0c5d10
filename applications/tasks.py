"""The worker's jobs of the applications app, and the one function that hands a job to it.

Beat runs the sweeps (the schedules are rows of django-celery-beat, see notifications/schedule.py);
``proposal_run_start`` queues a 免申即享 run once its transaction commits; an import of the
departments' data queues one for each open window (``proposal_runs_after_import``).
"""

from celery import shared_task
from django.db import transaction

from enterprises.matching import open_windows_with_tracks
from measures.models import ApplicationWindow, Track

from . import proposals, services
from .models import ProposalRun


@shared_task
def expire_closed_drafts() -> int:
    return services.applications_expire_closed_drafts()


@shared_task
def sweep_orphan_documents() -> int:
    return services.documents_sweep_orphans()


@shared_task
def prepare_proposals(run_id: int) -> int:
    """免申即享: prepare a window's proposals, writing the run's progress as it goes."""
    run = ProposalRun.objects.select_related("window").get(pk=run_id)
    if run.finished_at is not None:
        return 0  # a message delivered twice: the run is done
    return proposals.proposals_prepare(window=run.window, run=run)


def proposal_run_start(*, window: ApplicationWindow, by, import_batch=None) -> ProposalRun:
    """Record a run and hand it to the worker once the transaction commits."""
    run = ProposalRun.objects.create(window=window, requested_by=by, import_batch=import_batch)
    transaction.on_commit(lambda: prepare_proposals.delay(run.pk), robust=True)
    return run


def proposal_runs_after_import(*, batch) -> list[ProposalRun]:
    """After an import changed the departments' data: a run for each open window with a track
    免申即享 could propose (its amount computed by formula), in the import's transaction."""
    windows = {
        window.pk: window
        for window, track in open_windows_with_tracks()
        if track.award_kind == Track.AwardKind.FORMULA
    }
    return [
        proposal_run_start(window=window, by=batch.created_by, import_batch=batch)
        for window in windows.values()
    ]
