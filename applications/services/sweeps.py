"""The time-driven sweeps: expiring the drafts of closed windows, deleting orphaned files, and
counting deadlines again after a change of holidays."""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from measures.models import ApplicationWindow

from .. import permissions
from ..errors import ApplicationError
from ..models import (
    UNPAID_STATES,
    Application,
    ApplicationDocument,
    LibraryDocument,
    OutboxEvent,
    State,
    TransitionLog,
)
from ..signals import events_recorded
from .bulk import _BULK_FIELDS, _take_many

# Drafts expired per transaction by the sweep.
EXPIRE_CHUNK = 5000


def applications_expire_closed_drafts(*, now=None, chunk: int = EXPIRE_CHUNK) -> int:
    """Expire every draft whose window has closed by ``now``, through the state machine, a
    chunk of drafts per transaction: their rows locked with SKIP LOCKED (a draft someone is
    saving is left for the next run), one UPDATE, the log and outbox rows in bulk."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _expire_in_sql(now=now, chunk=chunk)
    expired = 0
    while True:
        with transaction.atomic():
            locked = list(
                Application.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=State.DRAFT, window__closes_at__lte=now)
                .select_related("window")
                .only(
                    "pk",
                    "reference",
                    "created_at",
                    "state",
                    "enterprise_id",
                    "approved_amount",
                    "due_at",
                    "window__closes_at",
                )
                .order_by("pk")[:chunk]
            )
            for application in locked:
                application.clock = now
            if locked:
                _take_many(
                    locked,
                    "expire",
                    by=None,
                    comment=str(_("申报批次已截止，草稿自动过期。")),
                    at=now,
                )
        expired += len(locked)
        if len(locked) < chunk:
            return expired


def _expire_in_sql(*, now, chunk: int) -> int:
    """The same on PostgreSQL, a chunk in one statement: lock the drafts (SKIP LOCKED), move
    them, write their log entries and outbox events. The state machine decides once for the
    chunk, on one of its drafts: every draft of it shares what the decision depends on (the
    source state and the closed window, which the WHERE holds; the scheduler as the actor),
    and its transition sets the same values on each."""
    comment = str(_("申报批次已截止，草稿自动过期。"))
    drafts = Application.objects.filter(state=State.DRAFT, window__closes_at__lte=now)
    expired = 0
    while True:
        with transaction.atomic():
            sample = drafts.select_related("window").order_by("pk").first()
            if sample is None:
                return expired
            sample.clock = now
            if not (can_proceed(sample.expire) and permissions.may_take(sample.expire, None)):
                raise ApplicationError(
                    _("草稿不能自动过期：%(reference)s。") % {"reference": sample.reference_label}
                )
            sample.expire(at=now)
            sample.state_changed_at = now
            values = {
                Application._meta.get_field(name).column: getattr(sample, name)
                for name in _BULK_FIELDS["expire"]
            }
            ids = _expire_chunk(values, chunk=chunk, at=now, comment=comment)
            events_recorded.send(sender=Application, events=[OutboxEvent(pk=pk) for pk in ids])
        expired += len(ids)
        if len(ids) < chunk:
            return expired


def _expire_chunk(values: dict, *, chunk: int, at, comment: str) -> list[int]:
    """One statement, the windows' closing read in it: returns the ids of the outbox events
    written. A window reopened meanwhile keeps its drafts."""
    quote = connection.ops.quote_name
    application = quote(Application._meta.db_table)
    window = quote(ApplicationWindow._meta.db_table)
    log = TransitionLog._meta
    outbox = OutboxEvent._meta
    assignments = ", ".join(f"{quote(column)} = %s" for column in values)

    def columns(meta, *names):
        return ", ".join(quote(meta.get_field(name).column) for name in names)

    # Only identifiers from the models' metadata, quoted, are formatted in; values are parameters.
    sql = f"""
        WITH chosen AS (
            SELECT id FROM {application}
            WHERE state = %s AND window_id IN (SELECT id FROM {window} WHERE closes_at <= %s)
            ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
        ), moved AS (
            UPDATE {application} AS a SET {assignments}, updated_at = %s
            FROM chosen WHERE a.id = chosen.id AND a.state = %s
            RETURNING a.id, a.approved_amount
        ), logged AS (
            INSERT INTO {quote(log.db_table)} ({
        columns(
            log,
            "application",
            "actor",
            "transition",
            "from_state",
            "to_state",
            "comment",
            "comment_public",
            "amount",
            "created_at",
        )
    })
            SELECT id, NULL, 'expire', %s, %s, %s, TRUE, approved_amount, %s FROM moved
            RETURNING id
        )
        INSERT INTO {quote(outbox.db_table)} ({
        columns(outbox, "log_entry", "created_at", "delivered_at", "claimed_until", "attempts")
    })
        SELECT id, %s, NULL, NULL, 0 FROM logged
        RETURNING id
    """  # noqa: S608
    parameters = [
        State.DRAFT,
        at,
        chunk,
        *values.values(),
        at,
        State.DRAFT,
        State.DRAFT,
        State.EXPIRED,
        comment,
        at,
        at,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [row[0] for row in cursor.fetchall()]


def documents_sweep_orphans(*, older_than=None) -> int:
    """Delete stored files no row refers to, of applications' documents and of the enterprises'
    libraries: left when a transaction that had saved an upload rolled back afterwards. Only
    files older than ``older_than`` (an hour by default), so an upload whose transaction is
    still open is never touched."""
    from django.core.files.storage import default_storage

    cutoff = timezone.now() - (older_than or timedelta(hours=1))
    removed = 0
    for top, model in (("applications", ApplicationDocument), ("library", LibraryDocument)):
        known = set(model.objects.values_list("file", flat=True))
        try:
            folders, _files = default_storage.listdir(top)
        except FileNotFoundError:
            continue
        for folder in folders:
            _subfolders, files = default_storage.listdir(f"{top}/{folder}")
            for name in files:
                path = f"{top}/{folder}/{name}"
                if path not in known and default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
    return removed


# Applications whose deadlines are counted again per transaction, after a change of holidays.
RECOUNT_CHUNK = 1000


def applications_recount_deadlines(*, years) -> int:
    """After a change of the holiday schedule of ``years``: count again the due date of each
    open review stage and each time limit to payment that runs through one of those years, from
    the moment it was counted from. A chunk of applications per transaction, their rows locked.
    Returns how many applications changed."""
    from measures.workdays import due_after_workdays, end_of_day

    floor = end_of_day(date(min(years), 1, 1) - timedelta(days=1))
    ceiling = end_of_day(date(max(years), 12, 31))
    spans = (
        Q(payment_due_at__gt=floor, first_submitted_at__lte=ceiling)
        | Q(state=State.DISTRICT_REVIEW, district_due_at__gt=floor, submitted_at__lte=ceiling)
        | Q(
            state=State.MUNICIPAL_REVIEW,
            municipal_due_at__gt=floor,
            municipal_review_at__lte=ceiling,
        )
    )
    ids = list(
        Application.objects.filter(spans, state__in=UNPAID_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    fields = ["payment_due_at", "district_due_at", "municipal_due_at", "due_at"]
    changed = 0
    for start in range(0, len(ids), RECOUNT_CHUNK):
        with transaction.atomic():
            rows = list(
                Application.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + RECOUNT_CHUNK], state__in=UNPAID_STATES)
                .select_related("window")
                .only(
                    "pk",
                    "state",
                    *fields,
                    "first_submitted_at",
                    "submitted_at",
                    "municipal_review_at",
                    "window__processing_days",
                    "window__district_review_days",
                    "window__municipal_review_days",
                )
            )
            updated = []
            for application in rows:
                before = [getattr(application, name) for name in fields]
                window = application.window
                if application.first_submitted_at and application.payment_due_at:
                    application.payment_due_at = due_after_workdays(
                        application.first_submitted_at, window.processing_days
                    )
                if application.state == State.DISTRICT_REVIEW and application.submitted_at:
                    application.district_due_at = due_after_workdays(
                        application.submitted_at, window.district_review_days
                    )
                    application.due_at = application.district_due_at
                if application.state == State.MUNICIPAL_REVIEW and application.municipal_review_at:
                    application.municipal_due_at = due_after_workdays(
                        application.municipal_review_at, window.municipal_review_days
                    )
                    application.due_at = application.municipal_due_at
                if [getattr(application, name) for name in fields] != before:
                    updated.append(application)
            Application.objects.bulk_update(updated, fields)
            changed += len(updated)
    return changed
