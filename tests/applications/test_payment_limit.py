"""The window's time limit from submission to payment: fixed at the first submission, counted
in working days, shown to the enterprise."""

import importlib
from datetime import datetime, timedelta

from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, State, TransitionLog
from measures.workdays import due_after_workdays
from tests.applications.factories import WindowFactory, draft

# A Monday in an ordinary week of 2026: the working days after it are plain weekdays.
MONDAY = timezone.make_aware(datetime(2026, 11, 16, 10, 0))


def test_the_first_submission_fixes_the_time_limit_to_payment(enterprise_user, district_reviewer):
    application = draft(user=enterprise_user)
    application.window.processing_days = 45
    application.window.save()

    application = services.application_submit(application=application, by=enterprise_user)

    assert application.first_submitted_at == application.submitted_at
    assert application.payment_due_at == due_after_workdays(application.submitted_at, 45)


def test_a_return_and_a_resubmission_keep_the_time_limit(enterprise_user, district_reviewer):
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    first, due = application.first_submitted_at, application.payment_due_at
    services.application_district_return(
        application=application, by=district_reviewer, comment="请补充材料"
    )
    Application.objects.filter(pk=application.pk).update(submitted_at=first - timedelta(days=3))

    application = services.application_resubmit(
        application=Application.objects.get(pk=application.pk), by=enterprise_user
    )

    assert application.submitted_at > first
    assert (application.first_submitted_at, application.payment_due_at) == (first, due)


def test_working_days_used_and_left_are_counted_from_the_first_submission(policy):
    application = Application(
        state=State.MUNICIPAL_REVIEW,
        first_submitted_at=MONDAY,
        payment_due_at=due_after_workdays(MONDAY, 10),
    )

    # Monday to the next Monday: five working days used, five left.
    limit = application.payment_limit(now=MONDAY + timedelta(days=7))

    assert (limit.used, limit.left, limit.over, limit.past, limit.running) == (5, 5, 0, False, True)


def test_a_limit_passed_counts_the_working_days_over(policy):
    application = Application(
        state=State.APPROVED,
        first_submitted_at=MONDAY,
        payment_due_at=due_after_workdays(MONDAY, 2),
    )

    limit = application.payment_limit(now=MONDAY + timedelta(days=7))

    assert (limit.used, limit.left, limit.over, limit.past) == (5, 0, 3, True)


def test_the_clock_stops_on_the_day_the_bank_paid(policy):
    application = Application(
        state=State.DISBURSED,
        first_submitted_at=MONDAY,
        payment_due_at=due_after_workdays(MONDAY, 10),
        disbursed_on=(MONDAY + timedelta(days=2)).date(),
    )

    limit = application.payment_limit(now=MONDAY + timedelta(days=60))

    assert (limit.used, limit.past, limit.running) == (2, False, False)


def test_a_draft_has_no_time_limit_yet(policy):
    assert Application(state=State.DRAFT).payment_limit() is None


def test_the_enterprise_sees_the_days_used_and_left(client, enterprise_user):
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    client.force_login(enterprise_user)

    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    due = timezone.localtime(application.payment_due_at).strftime("%Y-%m-%d")
    assert f"拨付时限 {due}" in page
    assert "已用 0 个工作日" in page
    assert f"剩余 {application.window.processing_days} 个工作日" in page


def test_applications_submitted_before_the_limit_was_kept_get_it_from_their_log(
    enterprise_user, district_reviewer
):
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    first = TransitionLog.objects.get(application=application, transition="submit").created_at
    earlier = first - timedelta(days=10)
    Application.objects.filter(pk=application.pk).update(
        first_submitted_at=None, payment_due_at=None, submitted_at=first + timedelta(days=1)
    )
    with connection.cursor() as cursor:
        # The log is append-only through the ORM: moved back in SQL.
        cursor.execute(
            f"UPDATE {TransitionLog._meta.db_table} SET created_at = %s WHERE application_id = %s",
            [earlier, application.pk],
        )
    # Written past the services (as the demo's and older data were): no log of its submission.
    never_logged = draft(user=enterprise_user, code="ic-design")
    Application.objects.filter(pk=never_logged.pk).update(
        state=State.DISTRICT_REVIEW, submitted_at=MONDAY
    )
    draft_only = draft(
        user=enterprise_user, window=WindowFactory(measure=application.track.measure)
    )

    migration = importlib.import_module("applications.migrations.0014_payment_time_limit_backfill")
    migration.backfill(apps, None)

    application.refresh_from_db()
    never_logged.refresh_from_db()
    draft_only.refresh_from_db()
    days = application.window.processing_days
    assert application.first_submitted_at == earlier
    assert application.payment_due_at == due_after_workdays(earlier, days)
    assert never_logged.first_submitted_at == MONDAY
    assert never_logged.payment_due_at == due_after_workdays(
        MONDAY, never_logged.window.processing_days
    )
    assert draft_only.payment_due_at is None


def test_an_application_that_will_never_be_paid_has_no_time_limit(policy):
    for state in (State.REJECTED, State.WITHDRAWN, State.EXPIRED):
        application = Application(
            state=state,
            first_submitted_at=MONDAY,
            payment_due_at=due_after_workdays(MONDAY, 60),
            closed_at=MONDAY + timedelta(days=3),
        )
        assert application.payment_limit(now=MONDAY + timedelta(days=7)) is None, state


def test_a_paid_application_shows_the_working_days_it_took(policy):
    application = Application(
        state=State.DISBURSED,
        first_submitted_at=MONDAY,
        payment_due_at=due_after_workdays(MONDAY, 10),
        disbursed_on=(MONDAY + timedelta(days=2)).date(),
    )

    assert application.payment_limit(now=MONDAY + timedelta(days=60)).finished


def test_the_enterprise_sees_no_time_limit_on_a_rejected_application_and_the_time_taken_on_a_paid_one(
    client, enterprise_user, district_reviewer
):
    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    services.application_district_reject(
        application=application, by=district_reviewer, comment="不符合条件"
    )
    client.force_login(enterprise_user)
    url = reverse("applications:detail", args=[application.pk])

    page = client.get(url).content.decode()

    assert "拨付时限" not in page and "已用" not in page and 'id="payment-limit"' not in page

    Application.objects.filter(pk=application.pk).update(
        state=State.DISBURSED, disbursed_on=timezone.localdate()
    )
    page = client.get(url).content.decode()

    assert "已拨付，用时 0 个工作日" in page
    assert f"剩余 {application.window.processing_days} 个工作日" not in page
