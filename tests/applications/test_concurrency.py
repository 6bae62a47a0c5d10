"""Two people taking a transition on one application at the same moment: exactly one wins.

These run on PostgreSQL (CI always does): SQLite has no row locks to test.
"""

from decimal import Decimal

import pytest
from django.db import connection

from applications import services
from applications.models import Application, ReferenceCounter, State, TransitionLog
from applications.selectors import window_committed_amount
from enterprises.districts import District
from measures.models import Track
from tests.applications.factories import WindowFactory, draft
from tests.concurrency import run_together
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these there"
)


def test_two_simultaneous_submissions_succeed_once(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = EnterpriseUserFactory()
    application = draft(user=user)

    outcomes = run_together(
        [lambda: services.application_submit(application=application, by=user)] * 2
    )

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(error for kind, error in outcomes if kind == "refused")
    assert "区县审核中" in str(refused)
    assert Application.objects.get(pk=application.pk).state == State.DISTRICT_REVIEW
    assert TransitionLog.objects.filter(application=application).count() == 1
    # The refused one took no number.
    assert Application.objects.get(pk=application.pk).reference == "CQJX-2026-02-000001"
    assert ReferenceCounter.objects.get(measure_number=2, year=2026).last == 1


def test_simultaneous_first_submissions_take_consecutive_references(
    committed_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    window = WindowFactory(measure=Track.objects.get(code="supply-chain").measure)
    drafts = [draft(user=EnterpriseUserFactory(), window=window) for _ in range(6)]

    outcomes = run_together(
        [
            lambda application=application: services.application_submit(
                application=application, by=application.created_by
            )
            for application in drafts
        ]
    )

    assert [kind for kind, _ in outcomes] == ["ok"] * 6, outcomes
    references = sorted(
        Application.objects.filter(pk__in=[a.pk for a in drafts]).values_list(
            "reference", flat=True
        )
    )
    assert references == [f"CQJX-2026-02-{n:06d}" for n in range(1, 7)]


def test_approve_and_reject_at_once_leave_one_decision(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    reviewer_a = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    reviewer_b = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    application = services.application_submit(application=draft(user=user), by=user)

    outcomes = run_together(
        [
            lambda: services.application_district_approve(
                application=application, by=reviewer_a, amount=Decimal("2000000")
            ),
            lambda: services.application_district_reject(
                application=application, by=reviewer_b, comment="不符合"
            ),
        ]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    entries = TransitionLog.objects.filter(application=application).exclude(transition="submit")
    assert entries.count() == 1
    assert Application.objects.get(pk=application.pk).state == entries.get().to_state


def test_twenty_approvals_against_a_budget_for_ten_approve_exactly_ten(
    committed_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure, total_budget=Decimal("20000000"))  # 10 × 200万
    reviewer = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    municipal = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    municipal.divisions.add(track.measure.division)
    applications = []
    for _ in range(20):
        user = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
        application = services.application_submit(
            application=draft(user=user, window=window), by=user
        )
        applications.append(
            services.application_district_approve(
                application=application, by=reviewer, amount=Decimal("2000000")
            )
        )

    outcomes = run_together(
        [
            (
                lambda a=a: services.application_municipal_approve(
                    application=a, by=municipal, amount=Decimal("2000000")
                )
            )
            for a in applications
        ]
    )

    assert [kind for kind, _ in outcomes].count("ok") == 10, outcomes
    assert [kind for kind, _ in outcomes].count("refused") == 10, outcomes
    approved = Application.objects.filter(window=window, state=State.APPROVED)
    assert approved.count() == 10
    assert window_committed_amount(window) == Decimal("20000000")
