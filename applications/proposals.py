"""免申即享: drafts the site prepares from an enterprise's file, for the enterprise to confirm.

For a window, every track whose amount is computed by formula is matched against every
enterprise's file (``enterprises.matching``, the engine of the 可申报政策 page). Only a track the
enterprise qualifies for is proposed: one whose every condition the file establishes, so never
a track with conditions the enterprise must confirm (the kind of project, of applicant), which
matching puts under 可能符合. Where the file holds every figure the track's form asks for, for
the window's year itself, and the amount is positive, a draft is created with those figures and the documents of
its library that the track lists (``applications.library``, where the enterprise has them),
and the enterprise is invited to confirm it. A confirmation is a submission like any other,
through ``application_submit`` and the state machine, its log entry saying it was one. Nothing
is submitted without the enterprise's click.

Running the preparation again proposes nothing twice: an enterprise that has, or had, an
application for the track in the window (a proposal withdrawn included) is left alone, and
the one-live-application rule holds against a run at the same time.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.matching import Status, match_track, open_windows_with_tracks
from enterprises.selectors import enterprise_files
from measures.models import ApplicationWindow, Track
from policy_portal import roles

from .errors import ApplicationError
from .models import Application, ProposalRun
from .signals import proposals_prepared

logger = logging.getLogger(__name__)

# Enterprises matched per transaction: the run's progress is written after each chunk.
CHUNK = 200

# Stored in the log as written, as every comment is: the record reads the same in any language.
CONFIRMATION_COMMENT = "免申即享：企业一键确认申报"


@dataclass
class Candidate:
    enterprise_id: int
    user_id: int
    track: Track
    declared: dict


def _proposable(track: Track, window: ApplicationWindow, file) -> dict | None:
    """The figures to fill, when the file holds every one the track's form asks for, for the
    window's year, and the enterprise qualifies for a positive amount; else None."""
    if track.award_kind != Track.AwardKind.FORMULA:
        return None
    match = match_track(track=track, window=window, file=file)
    if match.status != Status.QUALIFIES or match.quote is None:
        return None
    if not match.quote.amount or match.quote.amount <= 0:
        return None
    declared = {}
    for field in track.fields.all():
        value = file.figures.get(field.name, {}).get(window.year)
        if value in (None, ""):
            if field.required:
                return None
            continue
        declared[field.name] = value
    return declared


def proposal_candidates(*, window: ApplicationWindow, enterprise_ids) -> list[Candidate]:
    """What could be proposed in ``window`` to these enterprises, read in a fixed number of
    queries (the window's tracks, the files, the users, the existing applications)."""
    now = timezone.now()
    pairs = [(w, t) for w, t in open_windows_with_tracks(moment=now) if w.pk == window.pk]
    if not pairs:
        return []
    users: dict[int, int] = {}
    for user_id, enterprise_id in (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.ENTERPRISE,
            enterprise_id__in=list(enterprise_ids),
        )
        .order_by("pk")
        .values_list("pk", "enterprise_id")
    ):
        users.setdefault(enterprise_id, user_id)  # the enterprise's first account
    taken = set(
        Application.objects.filter(window=window, enterprise_id__in=list(users)).values_list(
            "enterprise_id", "track_id"
        )
    )
    files = enterprise_files(enterprise_ids=users)
    candidates = []
    for enterprise_id, file in files.items():
        for pair_window, track in pairs:
            if (enterprise_id, track.pk) in taken:
                continue
            declared = _proposable(track, pair_window, file)
            if declared is not None:
                candidates.append(Candidate(enterprise_id, users[enterprise_id], track, declared))
    return candidates


@transaction.atomic
def _prepare(*, window: ApplicationWindow, candidates: list[Candidate], now) -> list[Application]:
    from enterprises.models import User

    from . import services

    prepared = []
    people = User.objects.in_bulk([c.user_id for c in candidates])
    for candidate in candidates:
        user = people[candidate.user_id]
        try:
            with transaction.atomic():
                application = services.application_create(
                    enterprise=user.enterprise, track=candidate.track, window=window, by=user
                )
                application = services.application_update_declared(
                    application=application, by=user, declared=candidate.declared
                )
                _attach_library_documents(application, by=user)
                application.proposed_at = now
                application.save(update_fields=["proposed_at", "updated_at"])
        except ApplicationError as error:
            # Another run, or the enterprise, got there first; or its figures no longer pass.
            logger.info("no proposal for enterprise %s: %s", candidate.enterprise_id, error)
            continue
        prepared.append(application)
    if prepared:
        proposals_prepared.send(sender=Application, applications=prepared)
    return prepared


def _attach_library_documents(application: Application, *, by) -> None:
    """The documents the track lists, from the enterprise's library where it has them: a copy
    each, so that the library can change without changing the application."""
    from .selectors import library_documents_for
    from .services import library_document_attach

    kinds = list(application.track.required_documents or [])
    if not kinds:
        return
    chosen = {}
    for document in library_documents_for(enterprise=application.enterprise, kinds=kinds):
        chosen.setdefault(document.kind, document)  # the latest year of each kind first
    for kind in kinds:
        if kind in chosen:
            library_document_attach(application=application, library_document=chosen[kind], by=by)


def proposals_prepare(*, window: ApplicationWindow, run: ProposalRun | None = None) -> int:
    """Prepare the proposals of ``window`` for every enterprise, in chunks, writing the run's
    progress after each. Returns how many drafts were prepared."""
    from enterprises.models import Enterprise

    enterprise_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    if run is not None:
        ProposalRun.objects.filter(pk=run.pk).update(enterprises=len(enterprise_ids), done=0)
    total = 0
    for start in range(0, len(enterprise_ids), CHUNK):
        chunk = enterprise_ids[start : start + CHUNK]
        candidates = proposal_candidates(window=window, enterprise_ids=chunk)
        total += len(_prepare(window=window, candidates=candidates, now=timezone.now()))
        if run is not None:
            ProposalRun.objects.filter(pk=run.pk).update(done=start + len(chunk), proposed=total)
    if run is not None:
        ProposalRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return total


@transaction.atomic
def proposal_confirm(*, application: Application, by) -> Application:
    """一键确认申报: the enterprise submits the prepared draft, logged as a confirmation."""
    from . import services

    if application.proposed_at is None:
        raise ApplicationError(_("这不是平台准备的免申即享申报。"))
    return services.application_submit(application=application, by=by, comment=CONFIRMATION_COMMENT)
