"""Every write to a 公示 and its objections: lock, check the permission, change, log."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from applications.errors import ApplicationError
from applications.models import Application, State, reference_label
from applications.permissions import may_take
from applications.services import application_objection_upheld
from measures.models import ApplicationWindow, Measure
from policy_portal.logs import log_change

from . import permissions
from .errors import PublicityError
from .models import (
    PUBLICITY_ACTIONS,
    Objection,
    Publicity,
    PublicityEntry,
    PublicityState,
)
from .selectors import applications_to_publicise, distinct_publicity_title, next_publicity_number


def _require_administrator(by) -> None:
    if not permissions.is_administrator(None, by):
        raise PermissionDenied(_("只有管理员可以办理公示。"))


@transaction.atomic
def publicity_create(
    *,
    window: ApplicationWindow,
    measure: Measure,
    by,
    applications=None,
    title: str = "",
    period_workdays: int | None = None,
    how_to_object: str = "",
) -> Publicity:
    """A draft 公示 of the window's approved applications under the measure not yet publicised
    (or of ``applications`` among them)."""
    _require_administrator(by)
    # The window's row, locked, numbers its 公示 one at a time.
    ApplicationWindow.objects.select_for_update().filter(pk=window.pk).first()
    candidates = applications_to_publicise(window=window, measure=measure)
    if applications is not None:
        candidates = candidates.filter(pk__in=applications.values("pk"))
    candidates = list(candidates.select_for_update(of=("self",)))
    if not candidates:
        raise PublicityError(_("该批次该政策条款下没有待公示的已批准申报。"))
    number = next_publicity_number(window=window, measure=measure)
    publicity = Publicity(
        title=distinct_publicity_title(title, window=window, measure=measure, number=number),
        number=number,
        window=window,
        measure=measure,
        created_by=by,
    )
    if period_workdays is not None:
        if period_workdays < 1:
            raise PublicityError(_("公示期至少1个工作日。"))
        publicity.period_workdays = period_workdays
    if how_to_object.strip():
        publicity.how_to_object = how_to_object.strip()
    publicity.save()
    PublicityEntry.objects.bulk_create(
        [
            PublicityEntry(
                publicity=publicity,
                application=application,
                enterprise_name=application.enterprise.name,
                measure_label=str(application.track.measure),
                track_name=application.track.name,
                approved_amount=application.approved_amount,
            )
            for application in candidates
        ]
    )
    log_change(
        publicity,
        "create",
        by=by,
        from_state=PublicityState.DRAFT,
        comment=_("公示名单%(count)d项") % {"count": len(candidates)},
    )
    return publicity


def _locked(publicity: Publicity) -> Publicity:
    return Publicity.objects.select_for_update().get(pk=publicity.pk)


def _take(publicity: Publicity, name: str, *, by, at=None, comment: str = "") -> Publicity:
    publicity = _locked(publicity)
    at = at or timezone.now()
    publicity.clock = at
    method = getattr(publicity, name)
    label = PUBLICITY_ACTIONS[name]
    if not can_proceed(method, check_conditions=False):
        raise PublicityError(
            _("公示当前为“%(state)s”，不能%(action)s。")
            % {"state": publicity.get_state_display(), "action": label}
        )
    if not may_take(method, by):
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": label})
    if not can_proceed(method):
        if not publicity._period_over():
            raise PublicityError(_("公示期尚未结束，不能结束公示。"))
        raise PublicityError(_("还有未处理的异议，请先处理后再结束公示。"))
    from_state = publicity.state
    method(at=at)
    publicity.save()
    log_change(publicity, name, by=by, from_state=from_state, at=at, comment=comment)
    return publicity


@transaction.atomic
def publicity_publish(*, publicity: Publicity, by, at=None) -> Publicity:
    """Open the 公示 to the public; its period of working days counts from ``at`` (now)."""
    return _take(publicity, "publish", by=by, at=at)


@transaction.atomic
def publicity_close(*, publicity: Publicity, by, at=None) -> Publicity:
    """End a 公示 whose period is over and whose objections are all decided: what it holds
    without an upheld objection may then be paid."""
    return _take(publicity, "close", by=by, at=at)


@transaction.atomic
def objection_lodge(
    *, publicity: Publicity, entry_id: int, name: str, contact: str, text: str, now=None
) -> Objection:
    """Anyone's objection against one line of a published 公示, during its period."""
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if not publicity.is_open_for_objections(now):
        raise PublicityError(_("不在公示期内，不能提出异议。"))
    entry = publicity.entries.filter(pk=entry_id).first()
    if entry is None:
        raise PublicityError(_("请选择异议对象。"))
    fields = {"name": name.strip(), "contact": contact.strip(), "text": text.strip()}
    if not all(fields.values()):
        raise PublicityError(_("请填写姓名、联系方式和异议内容。"))
    return Objection.objects.create(publicity=publicity, entry=entry, **fields)


@transaction.atomic
def objection_decide(*, objection: Objection, by, outcome: str, comment: str) -> Objection:
    """An administrator's finding on an objection. Upheld, the application goes back to
    municipal review through its state machine, and its line no longer clears payment."""
    _require_administrator(by)
    objection = Objection.objects.select_for_update().select_related("entry").get(pk=objection.pk)
    publicity = _locked(objection.publicity)
    if objection.outcome != Objection.Outcome.PENDING:
        raise PublicityError(_("该异议已处理。"))
    if outcome not in (Objection.Outcome.DISMISSED, Objection.Outcome.UPHELD):
        raise PublicityError(_("请选择处理结果。"))
    comment = (comment or "").strip()
    if not comment:
        raise PublicityError(_("请填写处理意见。"))
    if outcome == Objection.Outcome.UPHELD:
        application = Application.objects.get(pk=objection.entry.application_id)
        if application.state != State.APPROVED:
            raise PublicityError(
                _("申报当前为“%(state)s”，不能退回市级审核。")
                % {"state": application.get_state_display()}
            )
        try:
            application_objection_upheld(application=application, by=by, comment=comment)
        except ApplicationError as error:
            raise PublicityError(*error.messages) from error
        PublicityEntry.objects.filter(pk=objection.entry_id).update(objection_upheld=True)
    now = timezone.now()
    objection.outcome = outcome
    objection.outcome_comment = comment
    objection.decided_by = by
    objection.decided_at = now
    objection.save()
    log_change(
        publicity,
        f"objection_{outcome}",
        by=by,
        from_state=publicity.state,
        comment=f"{objection.entry.enterprise_name}：{comment}",
        at=now,
    )
    return objection


def publicities_close_due(*, now=None) -> tuple[int, int]:
    """Close, on the scheduler's behalf, every published 公示 whose period is over and whose
    objections are all decided, one transaction each, so that what they hold may be paid
    without waiting for an administrator. Returns (closed, still waiting on objections); those
    are left for administrators, who see them in the 公示 list."""
    now = now or timezone.now()
    closed = waiting = 0
    due = Publicity.objects.filter(state=PublicityState.PUBLISHED, ends_at__lte=now)
    for pk in due.values_list("pk", flat=True).order_by("ends_at", "pk"):
        try:
            with transaction.atomic():
                publicity = Publicity.objects.select_for_update(skip_locked=True).filter(pk=pk)
                publicity = publicity.first()
                if publicity is None or publicity.state != PublicityState.PUBLISHED:
                    continue  # someone is closing it now, or has
                _take(publicity, "close", by=None, at=now, comment=_("公示期满，自动结束。"))
                closed += 1
        except PublicityError:
            waiting += 1
    return closed, waiting


@dataclass
class PublicisedOutcome:
    created: list[Publicity] = field(default_factory=list)
    # References (or draft labels) of the chosen applications no 公示 could take.
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def publicities_create_for(*, applications, by) -> PublicisedOutcome:
    """Draft 公示 for the chosen applications, one per window and measure among them, of
    those approved and not yet publicised; the others are named in ``skipped``."""
    _require_administrator(by)
    chosen = list(
        applications.order_by()
        .values_list("pk", "reference", "created_at", "window_id", "track__measure_id")
        .distinct()
    )
    outcome = PublicisedOutcome()
    taken: set[int] = set()
    pairs = sorted({(window_id, measure_id) for *_rest, window_id, measure_id in chosen})
    windows = ApplicationWindow.objects.in_bulk({w for w, _m in pairs})
    measures = Measure.objects.in_bulk({m for _w, m in pairs})
    for window_id, measure_id in pairs:
        ids = [pk for pk, *_rest, w, m in chosen if (w, m) == (window_id, measure_id)]
        candidates = applications_to_publicise(
            window=windows[window_id], measure=measures[measure_id]
        ).filter(pk__in=ids)
        ready = set(candidates.values_list("pk", flat=True))
        if not ready:
            continue
        publicity = publicity_create(
            window=windows[window_id],
            measure=measures[measure_id],
            by=by,
            applications=Application.objects.filter(pk__in=ready),
        )
        publicity.entry_count = len(ready)
        outcome.created.append(publicity)
        taken |= ready
    outcome.skipped = [
        reference_label(reference, created_at)
        for pk, reference, created_at, *_rest in chosen
        if pk not in taken
    ]
    return outcome


def publicities_recount_periods(*, years) -> int:
    """After a change of the holiday schedule of ``years``: the end of each running 公示 whose
    period runs through one of those years, counted again from its publication. Returns how
    many changed."""
    from measures.workdays import due_after_workdays, end_of_day

    floor = end_of_day(date(min(years), 1, 1) - timedelta(days=1))
    ceiling = end_of_day(date(max(years), 12, 31))
    changed = 0
    running = Publicity.objects.filter(
        state=PublicityState.PUBLISHED, ends_at__gt=floor, published_at__lte=ceiling
    )
    for pk in running.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            publicity = Publicity.objects.select_for_update().get(pk=pk)
            if publicity.state != PublicityState.PUBLISHED:
                continue
            ends_at = due_after_workdays(publicity.published_at, publicity.period_workdays)
            if ends_at != publicity.ends_at:
                Publicity.objects.filter(pk=pk).update(ends_at=ends_at)
                changed += 1
    return changed
