"""The sweep of the time limit to payment: warnings to the officials holding an application
10 and 3 working days before it, breaches reported to the administrators, once each."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, State
from enterprises.districts import District
from measures.workdays import due_after_workdays
from notifications.deadlines import remind_payment_limits
from notifications.models import Notification
from tests.enterprises.factories import UserFactory
from tests.notifications.test_deadlines import MONDAY, applications, without_inserts


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def recipients(application) -> set[tuple[int, str]]:
    return set(
        Notification.objects.filter(application=application).values_list("recipient", "kind")
    )


def test_the_officials_of_each_stage_are_warned_10_working_days_before_the_limit(
    district_reviewer, other_district_reviewer, municipal_reviewer, finance_user, administrator
):
    due = due_after_workdays(MONDAY, 10)
    district = applications(1, state=State.DISTRICT_REVIEW, payment_due_at=due)[0]
    municipal = applications(1, state=State.MUNICIPAL_REVIEW, payment_due_at=due)[0]
    approved = applications(1, state=State.APPROVED, payment_due_at=due)[0]
    later = applications(1, state=State.APPROVED, payment_due_at=due_after_workdays(MONDAY, 11))[0]

    assert remind_payment_limits(now=MONDAY) == (3, 0)

    assert recipients(district) == {(district_reviewer.pk, "reminder")}
    assert recipients(municipal) == {(municipal_reviewer.pk, "reminder")}
    assert recipients(approved) == {(finance_user.pk, "reminder")}
    assert recipients(later) == set()
    title = Notification.objects.get(application=approved).title
    assert approved.reference in title and "10个工作日" in title


def test_each_threshold_warns_once_and_a_missed_day_warns_at_the_next_sweep(
    district_reviewer,
):
    due = due_after_workdays(MONDAY, 10)
    application = applications(1, state=State.DISTRICT_REVIEW, payment_due_at=due)[0]

    assert remind_payment_limits(now=MONDAY) == (1, 0)
    assert remind_payment_limits(now=MONDAY + timedelta(hours=3)) == (0, 0)
    # Six working days later, 4 left: the 10-day warning was given, the 3-day one not yet.
    assert remind_payment_limits(now=MONDAY + timedelta(days=8)) == (0, 0)
    # The sweep did not run on the day 3 were left: 2 left, the 3-day warning now.
    assert remind_payment_limits(now=MONDAY + timedelta(days=10)) == (1, 0)
    assert remind_payment_limits(now=MONDAY + timedelta(days=11)) == (0, 0)
    assert set(
        Notification.objects.filter(application=application).values_list("key", flat=True)
    ) == {f"payment-limit:{application.pk}:10", f"payment-limit:{application.pk}:3"}


def test_a_breach_is_reported_to_the_administrators_once(
    district_reviewer, finance_user, administrator
):
    past = MONDAY - timedelta(hours=1)
    approved = applications(1, state=State.APPROVED, payment_due_at=past)[0]
    returned = applications(1, state=State.RETURNED, payment_due_at=past)[0]
    paid = applications(1, state=State.DISBURSED, payment_due_at=past)[0]
    rejected = applications(1, state=State.REJECTED, payment_due_at=past)[0]

    assert remind_payment_limits(now=MONDAY) == (0, 2)
    assert remind_payment_limits(now=MONDAY + timedelta(days=1)) == (0, 0)

    assert recipients(approved) == {(administrator.pk, "escalation")}
    assert recipients(returned) == {(administrator.pk, "escalation")}
    assert recipients(paid) == recipients(rejected) == set()
    assert "已超过拨付时限" in Notification.objects.get(application=approved).title


def test_the_time_limit_sweep_queries_do_not_grow_with_the_applications(
    district_reviewer, municipal_reviewer, finance_user, administrator
):
    def queries_for(count: int) -> int:
        soon = due_after_workdays(MONDAY, 3)
        applications(count, state=State.DISTRICT_REVIEW, payment_due_at=soon)
        applications(count, state=State.MUNICIPAL_REVIEW, payment_due_at=soon)
        applications(count, state=State.APPROVED, payment_due_at=soon)
        applications(count, state=State.APPROVED, payment_due_at=MONDAY - timedelta(hours=1))
        with CaptureQueriesContext(connection) as context:
            assert remind_payment_limits(now=MONDAY) == (3 * count, count)
        Notification.objects.all().delete()
        Application.objects.update(state=State.WITHDRAWN)
        return without_inserts(context.captured_queries, Notification._meta.db_table)

    assert queries_for(10) == queries_for(500)


def test_run_deadlines_runs_the_time_limit_sweep(administrator, capsys):
    applications(
        1,
        state=State.MUNICIPAL_REVIEW,
        district=District.JIANGBEI,
        payment_due_at=MONDAY - timedelta(hours=1),
    )

    call_command("run_deadlines", now=MONDAY.isoformat())

    assert "1 time limit breaches" in capsys.readouterr().out


def test_a_breach_names_the_enterprise(administrator):
    approved = applications(1, state=State.APPROVED, payment_due_at=MONDAY - timedelta(hours=1))[0]

    remind_payment_limits(now=MONDAY)

    body = Notification.objects.get(application=approved).body
    assert f"企业：{approved.enterprise.name}" in body
