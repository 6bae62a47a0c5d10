"""Every role against every kind of application: each official sees their own work only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications import services
from enterprises.districts import District
from measures.models import Track
from tests.applications.factories import WindowFactory, draft
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory


@pytest.fixture
def applications(
    enterprise_user,
    other_enterprise_user,
    district_reviewer,
    other_district_reviewer,
    municipal_reviewer,
):
    """A: Yubei, measure 2, awaiting district review. B: Jiangbei, the same. C: Yubei, measure 10,
    awaiting municipal review. D: Yubei, measure 2, approved. E: Yubei, a draft."""
    a = services.application_submit(application=draft(user=enterprise_user), by=enterprise_user)
    b = services.application_submit(
        application=draft(user=other_enterprise_user), by=other_enterprise_user
    )
    c = services.application_submit(
        application=draft(user=enterprise_user, code="ic-design"), by=enterprise_user
    )
    services.application_district_approve(
        application=c, by=district_reviewer, amount=Decimal("3600000")
    )
    second = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    d = services.application_submit(application=draft(user=second, window=a.window), by=second)
    services.application_district_approve(
        application=d, by=district_reviewer, amount=Decimal("2000000")
    )
    services.application_municipal_approve(
        application=d, by=municipal_reviewer, amount=Decimal("2000000")
    )
    third = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    track = Track.objects.get(code="supply-chain")
    e = draft(user=third, window=WindowFactory(measure=track.measure))
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


@pytest.fixture
def people(
    district_reviewer,
    other_district_reviewer,
    municipal_reviewer,
    other_municipal_reviewer,
    finance_user,
):
    return {
        "district Yubei": district_reviewer,
        "district Jiangbei": other_district_reviewer,
        "municipal economy+electronics": municipal_reviewer,
        "municipal automotive": other_municipal_reviewer,
        "finance": finance_user,
        "administrator": UserFactory(is_staff=True, roles=["administrator"]),
    }


VISIBLE = {
    "district Yubei": {"A", "C", "D"},
    "district Jiangbei": {"B"},
    "municipal economy+electronics": {"C", "D"},
    "municipal automotive": set(),
    "finance": {"D"},
    "administrator": {"A", "B", "C", "D", "E"},
}


def test_each_official_lists_exactly_their_applications(client, applications, people):
    references = {application.reference: name for name, application in applications.items()}
    for role, user in people.items():
        client.force_login(user)
        response = client.get(
            reverse("admin:applications_application_changelist"), {"queue": "all"}
        )
        assert response.status_code == 200, role
        listed = {references[a.reference] for a in response.context["cl"].result_list}
        assert listed == VISIBLE[role], role


def test_each_official_opens_only_their_applications_by_url(client, applications, people):
    for role, user in people.items():
        client.force_login(user)
        for name, application in applications.items():
            response = client.get(
                reverse("admin:applications_application_change", args=[application.pk])
            )
            expected = 200 if name in VISIBLE[role] else 404
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 404:
                assert application.reference_label not in response.content.decode()


def test_decision_pages_of_others_applications_answer_404(client, applications, people):
    client.force_login(people["district Jiangbei"])

    response = client.get(
        reverse(
            "admin:applications_application_decide", args=[applications["A"].pk, "district_approve"]
        )
    )

    assert response.status_code == 404


def test_enterprise_users_cannot_enter_the_admin(client, applications, enterprise_user):
    client.force_login(enterprise_user)

    response = client.get(
        reverse("admin:applications_application_change", args=[applications["A"].pk])
    )

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_by_default_each_reviewer_sees_what_awaits_them(client, applications, people):
    expected = {
        "district Yubei": {"A"},
        "municipal economy+electronics": {"C"},
        "finance": {"D"},
    }
    references = {application.reference: name for name, application in applications.items()}
    for role, names in expected.items():
        client.force_login(people[role])
        response = client.get(reverse("admin:applications_application_changelist"))
        assert {references[a.reference] for a in response.context["cl"].result_list} == names, role


def test_the_log_and_reviews_are_scoped_too(client, applications, people):
    client.force_login(people["district Jiangbei"])

    log = client.get(reverse("admin:applications_transitionlog_changelist"))
    reviews = client.get(reverse("admin:reviews_review_changelist"))

    assert {e.application_id for e in log.context["cl"].result_list} == {applications["B"].pk}
    assert list(reviews.context["cl"].result_list) == []
