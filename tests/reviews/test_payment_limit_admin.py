"""The time limit to payment in the officials' list and page: its filters and its marker."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, State
from measures.workdays import due_after_workdays
from tests.applications.factories import draft

CHANGELIST = "admin:applications_application_changelist"


def _submitted(user, code):
    return services.application_submit(application=draft(user=user, code=code), by=user)


def test_the_past_and_due_soon_filters_take_unpaid_applications_only(
    client, enterprise_user, district_reviewer
):
    now = timezone.now()
    past = _submitted(enterprise_user, "supply-chain")
    soon = _submitted(enterprise_user, "ic-design")
    later = _submitted(enterprise_user, "key-industrial-park")
    Application.objects.filter(pk=past.pk).update(payment_due_at=now - timedelta(days=1))
    Application.objects.filter(pk=soon.pk).update(payment_due_at=due_after_workdays(now, 6))
    Application.objects.filter(pk=later.pk).update(payment_due_at=due_after_workdays(now, 9))
    client.force_login(district_reviewer)

    def listed(value):
        response = client.get(reverse(CHANGELIST), {"limit": value, "queue": "all"})
        return {a.pk for a in response.context["cl"].result_list}

    assert listed("past") == {past.pk}
    assert listed("soon") == {soon.pk}
    # Rejected, it will not be paid: no longer past any limit.
    Application.objects.filter(pk=past.pk).update(state=State.REJECTED)
    assert listed("past") == set()


def test_the_list_marks_what_is_past_its_limit(client, enterprise_user, district_reviewer):
    past = _submitted(enterprise_user, "supply-chain")
    client.force_login(district_reviewer)
    assert "payment-limit-past" not in client.get(reverse(CHANGELIST)).content.decode()

    Application.objects.filter(pk=past.pk).update(payment_due_at=timezone.now() - timedelta(days=1))

    assert "payment-limit-past" in client.get(reverse(CHANGELIST)).content.decode()


def test_a_junk_limit_is_the_admins_wrong_filter_redirect(client, district_reviewer):
    client.force_login(district_reviewer)

    response = client.get(reverse(CHANGELIST), {"limit": "junk"})

    assert response.status_code == 302 and "e=1" in response.url


def test_the_page_shows_the_days_used_and_left(client, enterprise_user, district_reviewer):
    application = _submitted(enterprise_user, "supply-chain")
    client.force_login(district_reviewer)

    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()

    assert "已用 0 个工作日" in page
    assert f"剩余 {application.window.processing_days} 个工作日" in page
    assert f"自首次提交起 {application.window.processing_days} 个工作日内拨付" in page


def test_the_filter_adds_no_query_to_the_list(client, enterprise_user, district_reviewer):
    past = _submitted(enterprise_user, "supply-chain")
    Application.objects.filter(pk=past.pk).update(payment_due_at=timezone.now() - timedelta(days=1))
    client.force_login(district_reviewer)
    client.get(reverse(CHANGELIST))  # the filters' choices, cached once

    with CaptureQueriesContext(connection) as plain:
        client.get(reverse(CHANGELIST), {"queue": "all"})
    with CaptureQueriesContext(connection) as filtered:
        response = client.get(reverse(CHANGELIST), {"queue": "all", "limit": "past"})

    assert [a.pk for a in response.context["cl"].result_list] == [past.pk]
    assert len(filtered) == len(plain)


def test_the_page_of_a_rejected_application_shows_no_time_limit(
    client, enterprise_user, district_reviewer
):
    application = _submitted(enterprise_user, "supply-chain")
    services.application_district_reject(
        application=application, by=district_reviewer, comment="不符合条件"
    )
    client.force_login(district_reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])

    page = client.get(url).content.decode()

    due = timezone.localtime(application.payment_due_at).strftime("%Y-%m-%d")
    assert due not in page and "已用" not in page
    assert "不予拨付" in page

    Application.objects.filter(pk=application.pk).update(
        state=State.DISBURSED, disbursed_on=timezone.localdate()
    )
    page = client.get(url).content.decode()

    assert "已拨付，用时 0 个工作日" in page
    assert f"剩余 {application.window.processing_days} 个工作日" not in page
