"""The windows' budget totals are kept with every approval and payment: after any of them,
what is kept equals the sum over the applications, and the windows' list never sums them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.errors import ApplicationError
from applications.models import Application, State, WindowTotals
from applications.selectors import window_committed_amount
from disbursements import services as disbursement_services
from enterprises.districts import District
from measures.models import ApplicationWindow, Track
from reviews.selectors import windows_with_budget
from tests.applications.factories import WindowFactory, draft
from tests.concurrency import run_together
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory


def summed(window) -> tuple[Decimal, Decimal]:
    sums = Application.objects.filter(window=window).aggregate(
        approved=Sum("approved_amount", filter=Q(state=State.APPROVED), default=Decimal("0")),
        disbursed=Sum("approved_amount", filter=Q(state=State.DISBURSED), default=Decimal("0")),
    )
    return sums["approved"], sums["disbursed"]


def kept(window) -> tuple[Decimal, Decimal]:
    listed = windows_with_budget().get(pk=window.pk)
    return listed.approved_total, listed.disbursed_total


def assert_kept_equals_summed(window) -> None:
    assert kept(window) == summed(window)
    assert window_committed_amount(window) == sum(summed(window))


def in_municipal_review(window, district_reviewer, amount=Decimal("2000000")):
    user = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    application = services.application_submit(application=draft(user=user, window=window), by=user)
    return services.application_district_approve(
        application=application, by=district_reviewer, amount=amount
    )


@pytest.fixture
def window(policy):
    track = Track.objects.get(code="supply-chain")
    return WindowFactory(measure=track.measure, total_budget=Decimal("5000000"))


def test_every_transition_keeps_the_totals_equal_to_the_sums(
    window, district_reviewer, municipal_reviewer, finance_user
):
    confirmer = finance(first_name="复核")
    assert_kept_equals_summed(window)

    approved = in_municipal_review(window, district_reviewer)
    assert_kept_equals_summed(window)
    services.application_municipal_approve(
        application=approved, by=municipal_reviewer, amount=Decimal("1500000")
    )
    assert kept(window) == (Decimal("1500000"), Decimal("0"))
    assert_kept_equals_summed(window)

    returned = in_municipal_review(window, district_reviewer)
    services.application_municipal_return(
        application=returned, by=municipal_reviewer, comment="补充材料"
    )
    rejected = in_municipal_review(window, district_reviewer)
    services.application_municipal_reject(
        application=rejected, by=municipal_reviewer, comment="不符合"
    )
    assert_kept_equals_summed(window)

    # Over the budget: refused, and nothing kept changes.
    too_much = in_municipal_review(window, district_reviewer, amount=Decimal("2000000"))
    services.application_municipal_approve(
        application=too_much, by=municipal_reviewer, amount=Decimal("2000000")
    )
    with pytest.raises(ApplicationError, match="超出批次预算"):
        services.application_municipal_approve(
            application=in_municipal_review(window, district_reviewer),
            by=municipal_reviewer,
            amount=Decimal("2000000"),
        )
    assert kept(window) == (Decimal("3500000"), Decimal("0"))
    assert_kept_equals_summed(window)

    # A batch paid in one UPDATE, with one line the bank returned.
    bulk = approved_applications(3, amount=Decimal("100000"), window=window)
    assert_kept_equals_summed(window)
    batch = frozen_batch(bulk, by=finance_user)
    disbursement_services.batch_mark_paid(
        batch=batch,
        by=confirmer,
        payment_date=timezone.localdate(),
        bank_reference="ICBC-20261125-001",
        failed={bulk[0].reference: "户名与账号不符"},
    )
    assert kept(window) == (Decimal("3600000"), Decimal("200000"))
    assert_kept_equals_summed(window)

    # The returned line is paid in a later batch.
    later = frozen_batch([bulk[0]], by=finance_user)
    disbursement_services.batch_mark_paid(
        batch=later,
        by=confirmer,
        payment_date=timezone.localdate(),
        bank_reference="ICBC-20261126-001",
    )
    assert kept(window) == (Decimal("3500000"), Decimal("300000"))
    assert_kept_equals_summed(window)


def test_a_batch_over_several_windows_moves_each_windows_amounts(finance_user):
    confirmer = finance(first_name="复核")
    first = approved_applications(2, amount=Decimal("100000"))
    second = approved_applications(1, amount=Decimal("250000.50"))
    batch = frozen_batch([*first, *second], by=finance_user)

    disbursement_services.batch_mark_paid(
        batch=batch,
        by=confirmer,
        payment_date=timezone.localdate(),
        bank_reference="ICBC-20261125-002",
    )

    assert kept(first[0].window) == (Decimal("0"), Decimal("200000"))
    assert kept(second[0].window) == (Decimal("0"), Decimal("250000.50"))
    assert_kept_equals_summed(first[0].window)
    assert_kept_equals_summed(second[0].window)


def test_a_recount_repairs_totals_written_past_the_services(window, policy):
    approved_applications(2, amount=Decimal("100000"), window=window)
    WindowTotals.objects.filter(window=window).update(approved_amount=Decimal("1"))
    untouched = WindowFactory(measure=window.measure)

    corrected = services.window_totals_recount()

    assert corrected == [window.pk]
    assert kept(window) == (Decimal("200000"), Decimal("0"))
    assert kept(untouched) == (Decimal("0"), Decimal("0"))
    assert services.window_totals_recount() == []


def _windows_list_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(
            reverse("admin:measures_applicationwindow_changelist"),
            {"year": str(timezone.localdate().year)},
        )
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_the_windows_list_reads_no_application(client, admin_user, window):
    client.force_login(admin_user)
    approved_applications(1, amount=Decimal("100000"), window=window)
    _windows_list_queries(client)  # the filters' choices, read once per policy version
    one = _windows_list_queries(client)

    approved_applications(30, amount=Decimal("100000"), window=window)
    thirty = _windows_list_queries(client)

    assert len(thirty) == len(one)
    assert not [sql for sql in thirty if "applications_application" in sql]
    # The counts and the year filter's choices read the windows alone.
    counts = [sql for sql in thirty if "COUNT(" in sql]
    assert counts and not [sql for sql in counts if "applications_windowtotals" in sql]


# ── at once, on PostgreSQL ──────────────────────────────────────────────────────────────────


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_approvals_and_a_payment_at_once_keep_the_totals_equal_to_the_sums(
    committed_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure, total_budget=Decimal("20000000"))
    reviewer = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    municipal = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    municipal.divisions.add(track.measure.division)
    preparer, confirmer = finance(), finance(first_name="复核")
    waiting = [in_municipal_review(window, reviewer) for _ in range(9)]
    batch = frozen_batch(
        approved_applications(4, amount=Decimal("1000000"), window=window), by=preparer
    )

    outcomes = run_together(
        [
            *(
                (
                    lambda a=a: services.application_municipal_approve(
                        application=a, by=municipal, amount=Decimal("2000000")
                    )
                )
                for a in waiting
            ),
            lambda: disbursement_services.batch_mark_paid(
                batch=batch,
                by=confirmer,
                payment_date=timezone.localdate(),
                bank_reference="ICBC-20261125-003",
            ),
        ]
    )

    kinds = [kind for kind, _ in outcomes]
    assert "crashed" not in kinds, outcomes
    # 4 × 100万 approved before, 9 × 200万 asked for: the budget of 2000万 takes exactly 8.
    assert (kinds.count("ok"), kinds.count("refused")) == (9, 1), outcomes
    assert kept(window) == (Decimal("16000000"), Decimal("4000000"))
    assert_kept_equals_summed(window)
    assert ApplicationWindow.objects.get(pk=window.pk).total_budget == sum(kept(window))


def test_a_budget_overrun_by_data_written_past_the_services_is_shown_not_a_500(
    client, admin_user, window
):
    application = approved_applications(1, amount=Decimal("100000"), window=window)[0]
    # A budget lowered in the database below what was approved: the form would refuse it.
    ApplicationWindow.objects.filter(pk=window.pk).update(total_budget=Decimal("60000"))
    client.force_login(admin_user)

    listed = client.get(reverse("admin:measures_applicationwindow_changelist"))
    shown = client.get(reverse("admin:applications_application_change", args=[application.pk]))

    assert listed.status_code == shown.status_code == 200
    assert "超出预算 4万元" in listed.content.decode()
    assert "超出预算 4万元（40,000.00元）" in shown.content.decode()
