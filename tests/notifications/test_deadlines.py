"""Deadlines that enforce themselves: reminders, expiry and escalations, once each, in bulk."""

import itertools
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, OutboxEvent, State, TransitionLog
from enterprises.districts import District
from measures.models import Track
from measures.workdays import due_after_workdays, end_of_day, nth_workday_after
from notifications.deadlines import (
    remind_review_deadlines,
    remind_window_closing,
)
from notifications.models import Notification
from notifications.services import notifications_email_pending
from tests.applications.factories import WindowFactory
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

_numbers = itertools.count(700_000)


def without_inserts(queries, table: str) -> int:
    """The queries besides the inserts into ``table``, which a database with a low limit on
    parameters (SQLite) splits by the number of rows."""
    return sum(
        1 for q in queries if not (q["sql"].startswith("INSERT") and f'"{table}"' in q["sql"])
    )


# A Monday in an ordinary week of 2026: the working days after it are plain weekdays.
MONDAY = timezone.make_aware(datetime(2026, 11, 16, 10, 0))


def applications(
    count, *, state, window=None, code="supply-chain", district=District.YUBEI, **extra
):
    """``count`` applications of as many enterprises (one user each), written directly; a
    draft has no reference yet, as the services leave it."""
    track = Track.objects.select_related("measure").get(code=code)
    window = window or WindowFactory(measure=track.measure)
    creator = UserFactory()
    rows = []
    for _ in range(count):
        company = EnterpriseFactory(district=district)
        EnterpriseUserFactory(enterprise=company)
        rows.append(
            Application(
                reference=None
                if state == State.DRAFT
                else f"CQJX-2026-{track.measure.number:02d}-{next(_numbers):06d}",
                enterprise=company,
                district=district,
                track=track,
                window=window,
                state=state,
                created_by=creator,
                **extra,
            )
        )
    return Application.objects.bulk_create(rows)


def window_closing_after(workdays: int, measure_code="supply-chain"):
    measure = Track.objects.get(code=measure_code).measure
    closes = end_of_day(nth_workday_after(timezone.localdate(MONDAY), workdays))
    return WindowFactory(measure=measure, opens_at=MONDAY - timedelta(days=30), closes_at=closes)


# ── window closing ─────────────────────────────────────────────────────────────────────────


def test_enterprises_with_drafts_are_reminded_7_3_and_1_working_days_before_the_close(policy):
    reminded = {
        days: applications(1, state=State.DRAFT, window=window_closing_after(days))[0]
        for days in (7, 3, 1)
    }
    not_yet = applications(1, state=State.DRAFT, window=window_closing_after(5))[0]
    submitted = applications(1, state=State.DISTRICT_REVIEW, window=window_closing_after(3))[0]

    assert remind_window_closing(now=MONDAY) == 3

    keys = set(Notification.objects.values_list("key", "application_id"))
    assert keys == {(f"window-closing:{a.pk}:{days}", a.pk) for days, a in reminded.items()}
    notification = Notification.objects.get(application=reminded[1])
    assert notification.recipient.enterprise_id == reminded[1].enterprise_id
    assert "1个工作日后截止" in notification.title
    # A draft has no reference yet: the reminder names it as the portal lists it.
    assert notification.title.startswith(f"【{reminded[1].reference_label}】")
    assert reminded[1].reference_label.startswith("草稿 · 创建于 ")
    assert not Notification.objects.filter(application__in=[not_yet, submitted]).exists()


def test_running_the_closing_reminder_twice_a_day_notifies_nobody_twice(
    policy, django_capture_on_commit_callbacks
):
    applications(2, state=State.DRAFT, window=window_closing_after(3))

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_window_closing(now=MONDAY) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_window_closing(now=MONDAY + timedelta(hours=5)) == 0

    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert notifications_email_pending() == 0


def test_the_closing_reminder_queries_do_not_grow_with_the_drafts(policy):
    def queries_for(count: int) -> int:
        window = window_closing_after(1)
        applications(count, state=State.DRAFT, window=window)
        # The calendar as the sweep reads it, checked against its shared token now: making 1,000
        # drafts on a busy machine may take longer than a process keeps the token
        # (measures.workdays.LOCAL_TOKEN_SECONDS), and the sweep would read the calendar again.
        due_after_workdays(MONDAY, 8)
        with CaptureQueriesContext(connection) as context:
            assert remind_window_closing(now=MONDAY) == count
        Notification.objects.all().delete()
        Application.objects.update(state=State.WITHDRAWN)
        return without_inserts(context.captured_queries, Notification._meta.db_table)

    assert queries_for(10) == queries_for(1000)


# ── expiry ─────────────────────────────────────────────────────────────────────────────────


def test_drafts_of_closed_windows_expire_through_the_state_machine_with_a_log_each(policy):
    closed = WindowFactory(
        measure=Track.objects.get(code="supply-chain").measure,
        opens_at=MONDAY - timedelta(days=30),
        closes_at=MONDAY - timedelta(hours=1),
    )
    drafts = applications(3, state=State.DRAFT, window=closed)
    still_open = applications(1, state=State.DRAFT, window=window_closing_after(3))[0]

    call_command("run_deadlines", now=MONDAY.isoformat())

    assert set(
        Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list("state", flat=True)
    ) == {State.EXPIRED}
    assert Application.objects.get(pk=still_open.pk).state == State.DRAFT
    entries = TransitionLog.objects.filter(application__in=drafts)
    assert entries.count() == 3
    assert {(e.transition, e.actor_id) for e in entries} == {("expire", None)}
    assert OutboxEvent.objects.filter(log_entry__in=entries).count() == 3
    call_command("run_deadlines", now=MONDAY.isoformat())
    assert TransitionLog.objects.filter(application__in=drafts).count() == 3


def test_the_expiry_queries_do_not_grow_with_the_drafts(policy):
    from applications.services import applications_expire_closed_drafts

    measure = Track.objects.get(code="supply-chain").measure

    def queries_for(count: int) -> int:
        closed = WindowFactory(
            measure=measure, opens_at=MONDAY - timedelta(days=30), closes_at=MONDAY
        )
        applications(count, state=State.DRAFT, window=closed)
        with CaptureQueriesContext(connection) as context:
            assert applications_expire_closed_drafts(now=MONDAY + timedelta(minutes=1)) == count
        queries = [
            q
            for q in context.captured_queries
            if f'INSERT INTO "{OutboxEvent._meta.db_table}"' not in q["sql"]
        ]
        return without_inserts(queries, TransitionLog._meta.db_table)

    assert queries_for(10) == queries_for(1000)


# ── review deadlines ───────────────────────────────────────────────────────────────────────


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def test_reviewers_are_reminded_two_working_days_ahead_and_administrators_hear_when_overdue(
    district_reviewer, other_district_reviewer, municipal_reviewer, administrator
):
    due_soon = applications(1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 2))[0]
    due_later = applications(1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 5))[
        0
    ]
    overdue = applications(1, state=State.MUNICIPAL_REVIEW, due_at=MONDAY - timedelta(hours=2))[0]

    reminders, escalations = remind_review_deadlines(now=MONDAY)

    assert (reminders, escalations) == (1, 2)
    assert set(
        Notification.objects.filter(application=due_soon).values_list("recipient", "kind")
    ) == {(district_reviewer.pk, "reminder")}
    assert set(
        Notification.objects.filter(application=overdue).values_list("recipient", "kind")
    ) == {(municipal_reviewer.pk, "escalation"), (administrator.pk, "escalation")}
    assert not Notification.objects.filter(application=due_later).exists()
    assert remind_review_deadlines(now=MONDAY + timedelta(hours=3)) == (0, 0)


def test_a_stage_entered_again_is_a_new_deadline(district_reviewer):
    application = applications(
        1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 1)
    )[0]
    remind_review_deadlines(now=MONDAY)
    Application.objects.filter(pk=application.pk).update(
        due_at=due_after_workdays(MONDAY + timedelta(days=14), 1)
    )

    assert remind_review_deadlines(now=MONDAY + timedelta(days=14)) == (1, 0)


def test_the_review_sweep_queries_do_not_grow_with_the_applications(
    district_reviewer, municipal_reviewer, administrator
):
    def queries_for(count: int) -> int:
        applications(count, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 1))
        applications(count, state=State.MUNICIPAL_REVIEW, due_at=MONDAY - timedelta(hours=1))
        due_after_workdays(MONDAY, 1)  # the calendar checked against its token now, as above
        with CaptureQueriesContext(connection) as context:
            reminders, escalations = remind_review_deadlines(now=MONDAY)
        assert (reminders, escalations) == (count, 2 * count)
        Notification.objects.all().delete()
        Application.objects.update(state=State.WITHDRAWN)
        return without_inserts(context.captured_queries, Notification._meta.db_table)

    assert queries_for(10) == queries_for(1000)


def test_reminder_emails_respect_the_users_choice(
    district_reviewer, django_capture_on_commit_callbacks
):
    quiet = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    quiet.email_notifications = False
    quiet.save()
    applications(1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 1))

    with django_capture_on_commit_callbacks(execute=True):
        remind_review_deadlines(now=MONDAY)

    assert Notification.objects.filter(recipient=quiet).exists()
    assert [m.to for m in mail.outbox] == [[district_reviewer.email]]


# ── the schedule ───────────────────────────────────────────────────────────────────────────


def test_beat_runs_every_sweep_from_the_database(db, settings):
    from django.utils.module_loading import import_string
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from notifications.schedule import PERIODIC_TASKS
    from policy_portal.celery import app

    scheduler = import_string(settings.CELERY_BEAT_SCHEDULER.replace(":", "."))
    assert issubclass(scheduler, DatabaseScheduler)
    app.loader.import_default_modules()
    tasks = dict(
        PeriodicTask.objects.filter(name__in=list(PERIODIC_TASKS)).values_list("name", "task")
    )
    assert tasks == {name: spec[0] for name, spec in PERIODIC_TASKS.items()}
    for task in tasks.values():
        assert task in app.tasks, task


def test_run_deadlines_refuses_a_clock_it_cannot_read(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("run_deadlines", now="next tuesday")


def test_a_window_closing_on_a_sunday_still_gets_its_7_working_day_reminder(policy):
    measure = Track.objects.get(code="supply-chain").measure
    # The 7th working day after Monday 16 November is Wednesday the 25th; the window closes on
    # Sunday the 29th at 24:00 (stored as Monday 00:00): still 7 working days left.
    closes = timezone.make_aware(datetime(2026, 11, 30, 0, 0))
    window = WindowFactory(measure=measure, opens_at=MONDAY - timedelta(days=30), closes_at=closes)
    draft = applications(1, state=State.DRAFT, window=window)[0]
    friday = MONDAY + timedelta(days=4)  # Friday the 20th: 5 working days left, no reminder

    assert remind_window_closing(now=MONDAY) == 0  # 9 working days left
    assert remind_window_closing(now=MONDAY + timedelta(days=2)) == 1  # Wednesday: 7 left
    assert Notification.objects.get(application=draft).key == f"window-closing:{draft.pk}:7"
    assert remind_window_closing(now=friday) == 0


def test_a_window_reopened_before_the_sweep_keeps_its_drafts(policy):
    from applications.services import applications_expire_closed_drafts

    window = WindowFactory(
        measure=Track.objects.get(code="supply-chain").measure,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(hours=1),
    )
    drafts = applications(2, state=State.DRAFT, window=window)
    window.closes_at = timezone.now() + timedelta(days=3)
    window.save()

    assert applications_expire_closed_drafts() == 0
    assert set(
        Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list("state", flat=True)
    ) == {State.DRAFT}


def test_run_deadlines_at_a_clock_past_a_windows_close_expires_its_drafts(policy, capsys):
    window = WindowFactory(
        measure=Track.objects.get(code="supply-chain").measure,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
    )
    draft = applications(1, state=State.DRAFT, window=window)[0]

    call_command("run_deadlines", now=(timezone.now() + timedelta(days=20)).isoformat())

    assert Application.objects.get(pk=draft.pk).state == State.EXPIRED
    assert TransitionLog.objects.get(application=draft).transition == "expire"
    assert "in the future" in capsys.readouterr().out


def test_review_reminders_name_the_stage(district_reviewer):
    applications(1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 1))

    remind_review_deadlines(now=MONDAY)

    assert "区县审核将于" in Notification.objects.get().title


def test_administrators_may_change_the_schedule_in_the_admin(client, policy):
    from django_celery_beat.models import PeriodicTask

    administrator = UserFactory(is_staff=True, roles=["administrator"])
    reviewer = UserFactory(is_staff=True, roles=["district_reviewer"], district=District.YUBEI)
    task = PeriodicTask.objects.get(task="notifications.tasks.remind_window_closing")
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"

    client.force_login(administrator)
    assert client.get(url).status_code == 200
    client.force_login(reviewer)
    assert client.get(url).status_code in (302, 403)


def test_review_reminders_name_the_enterprise(district_reviewer):
    application = applications(
        1, state=State.DISTRICT_REVIEW, due_at=due_after_workdays(MONDAY, 1)
    )[0]

    remind_review_deadlines(now=MONDAY)

    assert Notification.objects.get().body.startswith(f"企业：{application.enterprise.name}\n")
