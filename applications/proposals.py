"""免申即享: drafts the site prepares from what the departments hold, for the enterprise to confirm.

免申即享 means the enterprise does not apply: the government already holds the figures. For a
window, every track whose amount is computed by formula is matched (``enterprises.matching``,
the engine of the 可申报政策 page) against what the departments hold of each enterprise: their
figures (统计局, 税务局, …) and recognitions (经信委认定, 科技局, …), never what the enterprise
typed. Only a track the departments' data qualifies the enterprise for is proposed: one whose
every condition that data establishes, so never a track with conditions the enterprise must
confirm (the kind of project, of applicant) or that turns on its industry as it registered it.
Where the departments hold every figure the track's form asks for, for the window's year itself,
and the amount is positive, a draft is created with those figures, each with its source
(``Application.declared_sources``: the department, its import batch and date), and the documents
of its library that the track lists (``applications.library``, where the enterprise has them);
the enterprise is invited to confirm it. A confirmation is a submission like any other, through
``application_submit`` and the state machine, its log entry saying it was one. Nothing is
submitted without the enterprise's click. What the enterprise typed itself leads to 可能符合 on
its report and an invitation to apply, not to a proposal.

The preparation works in bulk: per chunk of enterprises, the departments' data in one query,
matching in memory, the drafts in one COPY and the invitations in another, without a model
instance per draft (``bench/proposals.py`` measures it beside one ``INSERT … SELECT`` of the
same drafts). Only the
enterprises of which a department holds a figure of the window's year are read at all.

Running the preparation again proposes nothing twice: an enterprise that has, or had, an
application for the track in the window (a proposal withdrawn included) is left alone, and
the one-live-application rule holds against a run at the same time (should the enterprise start
the same draft while a chunk is written, that chunk is written again one draft at a time).
"""

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.matching import Status, match_track, open_windows_with_tracks
from enterprises.selectors import (
    EnterpriseFile,
    department_files,
    enterprises_with_department_figures,
)
from measures.calculator import fields_by_name
from measures.forms import declared_form_class, serialize_declared
from measures.models import ApplicationWindow, Track
from policy_portal import roles
from policy_portal.bulk import among, copy_rows

from .errors import ApplicationError
from .models import Application, LibraryDocument, ProposalRun, State
from .provenance import department_source
from .signals import proposals_prepared

logger = logging.getLogger(__name__)

# Enterprises matched and written per transaction: the run's progress is written after each.
CHUNK = 2000

# Stored in the log as written, as every comment is: the record reads the same in any language.
CONFIRMATION_COMMENT = "免申即享：企业一键确认申报"


@dataclass
class Candidate:
    enterprise_id: int
    district: str
    user_id: int
    track: Track
    declared: dict
    sources: dict
    amount: Decimal


def _proposable(track: Track, window: ApplicationWindow, file: EnterpriseFile):
    """(declared, sources, amount) when the departments' data qualifies the enterprise for a
    positive amount and holds every figure the track's form asks for, of the window's year;
    else None. ``file`` holds the departments' data only."""
    if track.award_kind != Track.AwardKind.FORMULA:
        return None
    match = match_track(track=track, window=window, file=file, explain=False)
    if match.status != Status.QUALIFIES or match.quote is None or not match.rests_on_departments:
        return None
    if match.year not in (None, window.year):
        return None  # the amount would be an earlier year's: the draft is of the window's year
    if not match.quote.amount or match.quote.amount <= 0:
        return None
    declared, sources = {}, {}
    for field in fields_by_name(track).values():
        value = file.figures.get(field.name, {}).get(window.year)
        if value in (None, ""):
            if field.required:
                return None
            continue
        declared[field.name] = value
        sources[field.name] = department_source(file.source_of(field.name, window.year))
    # The same checks as the form an enterprise fills in, field by field: what a department
    # gave passes them or is not proposed.
    fields = declared_form_class(track).base_fields
    try:
        cleaned = {name: fields[name].clean(_as_typed(value)) for name, value in declared.items()}
    except ValidationError:
        logger.warning("no proposal of track %s: the departments' figures fail its form", track.pk)
        return None
    return serialize_declared(cleaned), sources, match.quote.amount


def _as_typed(value):
    """A department's value as a person would type it: 12 for 12.00, 1.5 for 1.50."""
    if isinstance(value, bool):
        return value
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pairs(window: ApplicationWindow) -> list[tuple[ApplicationWindow, Track]]:
    return [
        (w, t)
        for w, t in open_windows_with_tracks(moment=timezone.now())
        if w.pk == window.pk and t.award_kind == Track.AwardKind.FORMULA
    ]


def proposal_candidates(
    *, window: ApplicationWindow, enterprise_ids, pairs=None
) -> list[Candidate]:
    """What could be proposed in ``window`` to these enterprises, read in a fixed number of
    queries (the window's tracks, the users, the existing applications, the enterprises and the
    departments' data), which name thousands of enterprises by the range of their ids
    (``policy_portal.bulk.among``)."""
    pairs = _pairs(window) if pairs is None else pairs
    wanted = set(enterprise_ids)
    if not pairs or not wanted:
        return []
    users: dict[int, tuple[int, str]] = {}
    for user_id, enterprise_id, district in (
        get_user_model()
        .objects.filter(
            among("enterprise_id", wanted), is_active=True, groups__name=roles.ENTERPRISE
        )
        .order_by("pk")
        .values_list("pk", "enterprise_id", "enterprise__district")
    ):
        if enterprise_id in wanted:
            users.setdefault(enterprise_id, (user_id, district))  # the enterprise's first account
    if not users:
        return []
    taken = set(
        Application.objects.filter(among("enterprise_id", users), window=window).values_list(
            "enterprise_id", "track_id"
        )
    )
    files = department_files(enterprise_ids=users, year=window.year)
    candidates = []
    for enterprise_id, file in files.items():
        for pair_window, track in pairs:
            if (enterprise_id, track.pk) in taken:
                continue
            proposal = _proposable(track, pair_window, file)
            if proposal is not None:
                user_id, district = users[enterprise_id]
                candidates.append(Candidate(enterprise_id, district, user_id, track, *proposal))
    return candidates


@dataclass
class Prepared:
    """A draft the preparation wrote, by the names of its application's attributes (what the
    invitation and the library read of it), without the cost of a model instance each."""

    pk: int
    enterprise_id: int
    created_by_id: int
    track: Track
    window: ApplicationWindow
    calculated_amount: Decimal
    declared_sources: dict

    @property
    def track_id(self) -> int:
        return self.track.pk


def _draft(window: ApplicationWindow, candidate: Candidate, now) -> Application:
    return Application(
        enterprise_id=candidate.enterprise_id,
        district=candidate.district,
        track=candidate.track,
        window=window,
        created_by_id=candidate.user_id,
        declared=candidate.declared,
        declared_sources=candidate.sources,
        calculated_amount=candidate.amount,
        proposed_at=now,
        state_changed_at=now,
    )


@transaction.atomic
def _prepare(*, window: ApplicationWindow, candidates: list[Candidate], now) -> list:
    """Write the drafts of ``candidates``: in one insert; one at a time where that insert meets
    a draft started meanwhile. Then their library documents and one invitation each. Returns
    what was written (``Prepared`` or drafts)."""
    if not candidates:
        return []
    try:
        with transaction.atomic():
            prepared = _insert(candidates, window=window, now=now)
    except IntegrityError:
        prepared = []
        for candidate in candidates:
            try:
                with transaction.atomic():
                    draft = _draft(window, candidate, now)
                    draft.save()
                prepared.append(draft)
            except IntegrityError:
                # The enterprise, or another run, got there first.
                logger.info("no proposal for enterprise %s: it has one", candidate.enterprise_id)
    _attach_library_documents(prepared)
    if prepared:
        proposals_prepared.send(sender=Application, applications=prepared)
    return prepared


# What a draft's row holds (the rest is empty until it moves on).
DRAFT_COLUMNS = (
    "district",
    "declared",
    "declared_sources",
    "calculated_amount",
    "state",
    "created_at",
    "updated_at",
    "state_changed_at",
    "proposed_at",
    "created_by_id",
    "enterprise_id",
    "track_id",
    "window_id",
)


def _insert(candidates: list[Candidate], *, window, now) -> list:
    """Insert the drafts of ``candidates`` at once: on PostgreSQL by COPY
    (``policy_portal.bulk.copy_rows``), then their ids in one query; elsewhere by bulk_create."""
    if connection.vendor != "postgresql":
        return Application.objects.bulk_create(
            [_draft(window, candidate, now) for candidate in candidates]
        )
    draft = State.DRAFT
    copy_rows(
        Application,
        DRAFT_COLUMNS,
        (
            (
                c.district,
                json.dumps(c.declared),
                json.dumps(c.sources),
                c.amount,
                draft,
                now,
                now,
                now,
                now,
                c.user_id,
                c.enterprise_id,
                c.track.pk,
                window.pk,
            )
            for c in candidates
        ),
    )
    ids = {
        (enterprise_id, track_id): pk
        for pk, enterprise_id, track_id in Application.objects.filter(
            window=window, proposed_at=now
        ).values_list("pk", "enterprise_id", "track_id")
    }
    return [
        Prepared(
            ids[(c.enterprise_id, c.track.pk)],
            c.enterprise_id,
            c.user_id,
            c.track,
            window,
            c.amount,
            c.sources,
        )
        for c in candidates
    ]


def _attach_library_documents(prepared: list) -> None:
    """The documents each track lists, from the enterprise's library where it has them: a copy
    each, so that the library can change without changing the application. One query finds the
    enterprises that have any; their drafts are read as applications."""
    from enterprises.models import User

    from .selectors import library_documents_for
    from .services import library_document_attach

    wanted = {p.pk: list(p.track.required_documents or []) for p in prepared}
    kinds = {kind for listed in wanted.values() for kind in listed}
    if not kinds:
        return
    enterprises = {p.enterprise_id for p in prepared}
    having = (
        set(
            LibraryDocument.objects.filter(among("enterprise_id", enterprises), kind__in=kinds)
            .values_list("enterprise_id", flat=True)
            .distinct()
        )
        & enterprises
    )
    drafts = Application.objects.select_related("track").in_bulk(
        [p.pk for p in prepared if p.enterprise_id in having]
    )
    people = User.objects.select_related("enterprise").in_bulk(
        {draft.created_by_id for draft in drafts.values()}
    )
    for application in drafts.values():
        by = people[application.created_by_id]
        chosen = {}
        listed = wanted[application.pk]
        for document in library_documents_for(enterprise=by.enterprise, kinds=listed):
            chosen.setdefault(document.kind, document)  # the latest year of each kind first
        for kind in listed:
            if kind in chosen:
                try:
                    library_document_attach(
                        application=application, library_document=chosen[kind], by=by
                    )
                except ApplicationError as error:
                    logger.info("library document not attached to %s: %s", application.pk, error)


def proposals_prepare(*, window: ApplicationWindow, run: ProposalRun | None = None) -> int:
    """Prepare the proposals of ``window`` for every enterprise of which a department holds a
    figure of the window's year, in chunks, writing the run's progress after each. Returns how
    many drafts were prepared."""
    pairs = _pairs(window)
    names = {f.name for _window, track in pairs for f in track.fields.all()}
    enterprise_ids = (
        enterprises_with_department_figures(year=window.year, names=names) if pairs else []
    )
    if run is not None:
        ProposalRun.objects.filter(pk=run.pk).update(enterprises=len(enterprise_ids), done=0)
    total = 0
    for start in range(0, len(enterprise_ids), CHUNK):
        chunk = enterprise_ids[start : start + CHUNK]
        candidates = proposal_candidates(window=window, enterprise_ids=chunk, pairs=pairs)
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
