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
matching in memory, the drafts in one insert and the invitations in another
(``bench/proposals.py`` measures it beside one ``INSERT … SELECT`` of the same drafts). Only the
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
    enterprise_files,
    enterprises_with_department_figures,
)
from measures.forms import declared_form_class, serialize_declared
from measures.models import ApplicationWindow, Track
from policy_portal import roles

from .errors import ApplicationError
from .models import Application, LibraryDocument, ProposalRun
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
    match = match_track(track=track, window=window, file=file)
    if match.status != Status.QUALIFIES or match.quote is None or not match.rests_on_departments:
        return None
    if match.year not in (None, window.year):
        return None  # the amount would be an earlier year's: the draft is of the window's year
    if not match.quote.amount or match.quote.amount <= 0:
        return None
    declared, sources = {}, {}
    for field in track.fields.all():
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
    queries (the window's tracks, the enterprises, the users, the existing applications, the
    departments' data)."""
    pairs = _pairs(window) if pairs is None else pairs
    if not pairs:
        return []
    users: dict[int, tuple[int, str]] = {}
    for user_id, enterprise_id, district in (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.ENTERPRISE,
            enterprise_id__in=list(enterprise_ids),
        )
        .order_by("pk")
        .values_list("pk", "enterprise_id", "enterprise__district")
    ):
        users.setdefault(enterprise_id, (user_id, district))  # the enterprise's first account
    if not users:
        return []
    taken = set(
        Application.objects.filter(window=window, enterprise_id__in=list(users)).values_list(
            "enterprise_id", "track_id"
        )
    )
    files = enterprise_files(enterprise_ids=users, departments_only=True)
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
def _prepare(*, window: ApplicationWindow, candidates: list[Candidate], now) -> list[Application]:
    """Write the drafts of ``candidates``: in one insert; one at a time where that insert meets
    a draft started meanwhile. Then their library documents and one invitation each."""
    if not candidates:
        return []
    drafts = [_draft(window, candidate, now) for candidate in candidates]
    try:
        with transaction.atomic():
            prepared = _insert(drafts, window=window, now=now)
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


def _insert(drafts: list[Application], *, window, now) -> list[Application]:
    """Insert ``drafts`` at once and give them their ids. On PostgreSQL by COPY, which costs
    what an INSERT … SELECT costs rather than the building of a statement of 30,000
    parameters; the audit's triggers see each row as for any insert. Elsewhere by bulk_create."""
    if connection.vendor != "postgresql":
        return Application.objects.bulk_create(drafts)
    for draft in drafts:
        draft.created_at = draft.updated_at = now
    table = connection.ops.quote_name(Application._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in DRAFT_COLUMNS)
    rows = (
        (
            d.district,
            json.dumps(d.declared),
            json.dumps(d.declared_sources),
            d.calculated_amount,
            d.state,
            now,
            now,
            d.state_changed_at,
            d.proposed_at,
            d.created_by_id,
            d.enterprise_id,
            d.track_id,
            d.window_id,
        )
        for d in drafts
    )
    # Errors as Django's (IntegrityError for a draft started meanwhile), as for any query.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    ids = {
        (enterprise_id, track_id): pk
        for pk, enterprise_id, track_id in Application.objects.filter(
            window=window, proposed_at=now
        ).values_list("pk", "enterprise_id", "track_id")
    }
    for draft in drafts:
        draft.pk = ids[(draft.enterprise_id, draft.track_id)]
        draft._state.adding = False
    return drafts


def _attach_library_documents(applications: list[Application]) -> None:
    """The documents each track lists, from the enterprise's library where it has them: a copy
    each, so that the library can change without changing the application. One query finds the
    enterprises that have any."""
    from enterprises.models import User

    from .selectors import library_documents_for
    from .services import library_document_attach

    wanted = {a.pk: list(a.track.required_documents or []) for a in applications}
    kinds = {kind for listed in wanted.values() for kind in listed}
    if not kinds:
        return
    having = set(
        LibraryDocument.objects.filter(
            enterprise_id__in={a.enterprise_id for a in applications}, kind__in=kinds
        ).values_list("enterprise_id", flat=True)
    )
    people = User.objects.select_related("enterprise").in_bulk(
        {a.created_by_id for a in applications if a.enterprise_id in having}
    )
    for application in applications:
        if application.enterprise_id not in having:
            continue
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
