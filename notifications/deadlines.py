"""Reminders before deadlines and escalations after them, counted in working days.

Each sweep works on sets: a few queries to find what is due and who must hear of it, one bulk
insert of notifications whose key (event and person) is unique, so that running a sweep twice
notifies nobody twice. The emails follow in a task of their own, after the commit.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from applications.models import UNPAID_STATES, Application, State, reference_label
from measures.models import ApplicationWindow, Track
from measures.workdays import due_after_workdays, workdays_between
from policy_portal import roles

from .bulk import local_time, notifications_for, save_new
from .models import Notification

# Working days before a window closes on which enterprises holding drafts are reminded.
WINDOW_REMINDER_DAYS = (7, 3, 1)
# Reviewers hear of an application due within this many working days.
REVIEW_REMINDER_DAYS = 2
# Working days before the time limit to payment on which the officials holding an
# application are warned (each once: a sweep that missed a day warns at the next one).
PAYMENT_WARNING_DAYS = (10, 3)
# Where the officials of an application's stage are, for the time limit to payment.
OFFICIAL_STATES = (State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW, State.APPROVED)


@dataclass
class SweepReport:
    window_reminders: int = 0
    window_announcements: int = 0
    review_reminders: int = 0
    escalations: int = 0
    expired: int = 0
    payment_warnings: int = 0
    payment_breaches: int = 0
    publicities_closed: int = 0
    publicities_waiting: int = 0
    lines: list[str] = field(default_factory=list)


@transaction.atomic
def remind_window_closing(*, now=None) -> int:
    """Remind the users of each enterprise holding a draft in a window that closes in 7, 3 or 1
    working days. Returns how many notifications were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # A window closing on a weekend or a holiday after the 7th working day still has 7 left.
    horizon = due_after_workdays(now, max(WINDOW_REMINDER_DAYS) + 1)
    days_left = {}
    for window in ApplicationWindow.objects.filter(closes_at__gt=now, closes_at__lte=horizon):
        # A window closing at 00:00 closes with the day before.
        last_day = timezone.localdate(window.closes_at - timedelta(microseconds=1))
        left = workdays_between(today, last_day)
        if left in WINDOW_REMINDER_DAYS:
            days_left[window.pk] = (left, window)
    if not days_left:
        return 0
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.ENTERPRISE,
            enterprise__applications__state=State.DRAFT,
            enterprise__applications__window__in=list(days_left),
        )
        .values_list(
            "pk",
            "enterprise__applications__pk",
            "enterprise__applications__reference",
            "enterprise__applications__created_at",
            "enterprise__applications__window_id",
        )
    )
    notifications = []
    for user_id, application_id, reference, created_at, window_id in rows:
        left, window = days_left[window_id]
        notifications += notifications_for(
            [user_id],
            key=f"window-closing:{application_id}:{left}",
            kind=Notification.Kind.REMINDER,
            application_id=application_id,
            title=_("【%(reference)s】申报批次%(days)d个工作日后截止")
            % {"reference": reference_label(reference, created_at), "days": left},
            body=_(
                "您的申报草稿尚未提交。申报批次“%(window)s”将于%(closes)s截止，"
                "截止后未提交的草稿将自动过期。"
            )
            % {"window": window.name, "closes": local_time(window.closes_at)},
        )
    return save_new(notifications)


def _reviewers(applications: list[tuple]) -> dict:
    """Who reviews each application now: {application pk: set of user pks}."""
    User = get_user_model()
    districts = {row[2] for row in applications if row[3] == State.DISTRICT_REVIEW}
    divisions = {row[5] for row in applications if row[3] == State.MUNICIPAL_REVIEW}
    by_district: dict[str, set[int]] = {}
    for pk, district in User.objects.filter(
        is_active=True, groups__name=roles.DISTRICT_REVIEWER, district__in=districts
    ).values_list("pk", "district"):
        by_district.setdefault(district, set()).add(pk)
    by_division: dict[int, set[int]] = {}
    for pk, division in User.objects.filter(
        is_active=True, groups__name=roles.MUNICIPAL_REVIEWER, divisions__in=divisions
    ).values_list("pk", "divisions"):
        by_division.setdefault(division, set()).add(pk)
    return {
        row[0]: by_district.get(row[2], set())
        if row[3] == State.DISTRICT_REVIEW
        else by_division.get(row[5], set())
        for row in applications
    }


def _with_enterprise(names: dict[int, str], pk: int, body: str) -> str:
    """An official's text begins with whose application it is (they read many enterprises')."""
    return "\n".join([_("企业：%(enterprise)s") % {"enterprise": names.get(pk, "")}, body])


def _enterprise_names(pks) -> dict[int, str]:
    return dict(Application.objects.filter(pk__in=list(pks)).values_list("pk", "enterprise__name"))


@transaction.atomic
def remind_review_deadlines(*, now=None) -> tuple[int, int]:
    """Remind the responsible reviewers of each application due within 2 working days; when
    overdue, escalate to the administrators and the reviewers. Once per application and stage
    (the stage's due date is part of the key: a stage entered again is a new deadline).
    Returns how many reminders and escalations were new."""
    now = now or timezone.now()
    soon = due_after_workdays(now, REVIEW_REMINDER_DAYS)
    measure_division = dict(Track.objects.values_list("pk", "measure__division_id"))
    applications = [
        (pk, reference, district, state, due_at, measure_division.get(track_id))
        for pk, reference, district, state, due_at, track_id in Application.objects.filter(
            state__in=(State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW), due_at__lte=soon
        ).values_list("pk", "reference", "district", "state", "due_at", "track_id")
    ]
    if not applications:
        return 0, 0
    reviewers = _reviewers(applications)
    administrators = _administrators()
    names = _enterprise_names(row[0] for row in applications)
    reminders, escalations = [], []
    # The texts are the same for every person told of one application: made once each.
    due_title = _("【%(reference)s】%(stage)s将于%(due)s到期")
    due_body = _("请在办理期限%(due)s前完成审核。")
    overdue_title = _("【%(reference)s】%(stage)s已逾期")
    overdue_body = _("办理期限%(due)s已过，请督促尽快办理。")
    stages = {State.DISTRICT_REVIEW: _("区县审核"), State.MUNICIPAL_REVIEW: _("市级审核")}
    for pk, reference, _district, state, due_at, _division in applications:
        due_day = timezone.localdate(due_at).isoformat()
        texts = {"reference": reference, "stage": stages[state], "due": due_day}
        if due_at >= now:
            title, body = due_title % texts, due_body % {"due": local_time(due_at)}
            kind, key, people, into = (
                Notification.Kind.REMINDER,
                "review-due",
                reviewers[pk],
                reminders,
            )
        else:
            title, body = overdue_title % texts, overdue_body % {"due": local_time(due_at)}
            kind, key = Notification.Kind.ESCALATION, "review-overdue"
            people, into = reviewers[pk] | administrators, escalations
        into.extend(
            notifications_for(
                people,
                key=f"{key}:{pk}:{state}:{due_day}",
                kind=kind,
                application_id=pk,
                title=title,
                body=_with_enterprise(names, pk, body),
            )
        )
    return save_new(reminders), save_new(escalations)


def _administrators() -> set[int]:
    return set(
        get_user_model()
        .objects.filter(Q(groups__name=roles.ADMINISTRATOR) | Q(is_superuser=True), is_active=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def remind_payment_limits(*, now=None) -> tuple[int, int]:
    """The window's time limit from submission to payment: the officials holding each unpaid
    application (the district's reviewers, the division's municipal reviewers, finance once
    approved) are warned 10 and 3 working days before it; once it has passed, the
    administrators hear of the breach. Once per application and threshold, once per breach.
    Returns how many warnings and breach reports were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = due_after_workdays(now, max(PAYMENT_WARNING_DAYS))
    measure_division = dict(Track.objects.values_list("pk", "measure__division_id"))
    rows = [
        (pk, reference, district, state, due_at, measure_division.get(track_id))
        for pk, reference, district, state, due_at, track_id in Application.objects.filter(
            state__in=UNPAID_STATES, payment_due_at__lte=horizon
        ).values_list("pk", "reference", "district", "state", "payment_due_at", "track_id")
    ]
    if not rows:
        return 0, 0
    approaching = [row for row in rows if row[4] >= now and row[3] in OFFICIAL_STATES]
    breached = [row for row in rows if row[4] < now]
    officials = _reviewers([row for row in approaching if row[3] != State.APPROVED])
    if any(row[3] == State.APPROVED for row in approaching):
        finance = set(
            get_user_model()
            .objects.filter(is_active=True, groups__name=roles.FINANCE)
            .values_list("pk", flat=True)
        )
        officials.update({row[0]: finance for row in approaching if row[3] == State.APPROVED})
    warning_title = _("【%(reference)s】距拨付时限还有%(days)d个工作日")
    warning_body = _(
        "该申报须在%(due)s前拨付（申报批次规定的办理时限，自首次提交起计算），请抓紧办理。"
    )
    names = _enterprise_names(row[0] for row in rows)
    warnings = []
    for pk, reference, _district, _state, due_at, _division in approaching:
        left = workdays_between(today, timezone.localdate(due_at))
        # The nearest threshold reached: 10 warns from 10 down to 4 days left, 3 from 3 on.
        reached = [days for days in PAYMENT_WARNING_DAYS if left <= days]
        if not reached:
            continue
        threshold = min(reached)
        title = warning_title % {"reference": reference, "days": left}
        body = warning_body % {"due": local_time(due_at)}
        warnings += notifications_for(
            officials.get(pk, ()),
            key=f"payment-limit:{pk}:{threshold}",
            kind=Notification.Kind.REMINDER,
            application_id=pk,
            title=title,
            body=_with_enterprise(names, pk, body),
        )
    breaches = []
    if breached:
        administrators = _administrators()
        breach_title = _("【%(reference)s】已超过拨付时限")
        breach_body = _("拨付时限%(due)s已过，该申报仍未拨付（当前状态：%(state)s），请督促办理。")
        for pk, reference, _district, state, due_at, _division in breached:
            title = breach_title % {"reference": reference}
            body = breach_body % {"due": local_time(due_at), "state": State(state).label}
            breaches += notifications_for(
                administrators,
                key=f"payment-limit-breached:{pk}",
                kind=Notification.Kind.ESCALATION,
                application_id=pk,
                title=title,
                body=_with_enterprise(names, pk, body),
            )
    return save_new(warnings), save_new(breaches)


@dataclass(frozen=True)
class Sweep:
    """A periodic task of beat that depends on the time, and the service it runs."""

    task: str  # beat's task (notifications/schedule.py), run on the real clock
    service: str  # takes ``now``: what run_deadlines runs at its clock
    counts: tuple[str, ...]  # the SweepReport fields its result fills, in order


# Every time-driven periodic task, in the order run_deadlines runs them at one clock: windows
# open before their drafts are reminded, drafts expire before reviews are chased, and a 公示
# closes after everything else has been said. tests/notifications/test_run_deadlines.py holds
# beat's schedule to this list.
SWEEPS = (
    Sweep(
        "notifications.tasks.announce_opened_windows",
        "notifications.announcements.announce_opened_windows",
        ("window_announcements",),
    ),
    Sweep(
        "notifications.tasks.remind_window_closing",
        "notifications.deadlines.remind_window_closing",
        ("window_reminders",),
    ),
    Sweep(
        "applications.tasks.expire_closed_drafts",
        "applications.services.applications_expire_closed_drafts",
        ("expired",),
    ),
    Sweep(
        "notifications.tasks.remind_review_deadlines",
        "notifications.deadlines.remind_review_deadlines",
        ("review_reminders", "escalations"),
    ),
    Sweep(
        "notifications.tasks.remind_payment_limits",
        "notifications.deadlines.remind_payment_limits",
        ("payment_warnings", "payment_breaches"),
    ),
    Sweep(
        "publicity.tasks.close_due_publicities",
        "publicity.services.publicities_close_due",
        ("publicities_closed", "publicities_waiting"),
    ),
)


def run_deadlines(*, now=None) -> SweepReport:
    """Every time-driven sweep once, at ``now``: what beat runs, each on its own schedule, and
    what the run_deadlines command runs at any clock."""
    now = now or timezone.now()
    report = SweepReport()
    for sweep in SWEEPS:
        result = import_string(sweep.service)(now=now)
        values = result if isinstance(result, tuple) else (result,)
        for name, value in zip(sweep.counts, values, strict=True):
            setattr(report, name, value)
    return report


def deadlines_recount(*, years) -> tuple[int, int]:
    """After a change of the holiday schedule of ``years``, the deadlines counted through them
    before it are counted again: review stages, time limits to payment, the periods of running
    公示. Returns how many applications and 公示 changed."""
    from applications.services import applications_recount_deadlines
    from publicity.services import publicities_recount_periods

    return (
        applications_recount_deadlines(years=years),
        publicities_recount_periods(years=years),
    )
