from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, State
from publicity import services
from publicity.models import Objection, Publicity, PublicityState
from tests.disbursements.factories import approved_applications
from tests.publicity.factories import published_with_objection


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_an_administrator_creates_a_publicity_from_a_window_and_a_measure(admin_client):
    applications = approved_applications(2, publicised=False)
    first = applications[0]

    response = admin_client.post(
        reverse("admin:publicity_publicity_add"),
        {
            "window": first.window_id,
            "measure": first.track.measure_id,
            "title": "",
            "period_workdays": "5",
            "how_to_object": "书面反映",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    publicity = Publicity.objects.get()
    assert publicity.entries.count() == 2 and publicity.how_to_object == "书面反映"
    page = admin_client.get(reverse("admin:publicity_publicity_change", args=[publicity.pk]))
    assert "发布公示" in page.content.decode()


def test_the_add_form_refuses_a_window_without_applications_to_publicise(admin_client):
    applications = approved_applications(1)  # already publicised

    response = admin_client.post(
        reverse("admin:publicity_publicity_add"),
        {
            "window": applications[0].window_id,
            "measure": applications[0].track.measure_id,
            "period_workdays": "5",
            "how_to_object": "x",
        },
    )

    assert response.status_code == 200
    assert "没有待公示的已批准申报" in response.content.decode()


def test_the_buttons_publish_and_close(admin_client, administrator):
    applications = approved_applications(1, publicised=False)
    publicity = services.publicity_create(
        window=applications[0].window, measure=applications[0].track.measure, by=administrator
    )
    url = reverse("admin:publicity_publicity_take", args=[publicity.pk, "publish"])

    admin_client.post(url)
    publicity.refresh_from_db()
    assert publicity.state == PublicityState.PUBLISHED

    # Still within its period: refused with the reason.
    response = admin_client.post(
        reverse("admin:publicity_publicity_take", args=[publicity.pk, "close"]), follow=True
    )
    assert "公示期尚未结束" in response.content.decode()
    Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - timedelta(hours=1))
    admin_client.post(reverse("admin:publicity_publicity_take", args=[publicity.pk, "close"]))
    publicity.refresh_from_db()
    assert publicity.state == PublicityState.CLOSED


def test_an_administrator_upholds_an_objection_from_the_admin(admin_client, administrator):
    _publicity, objection = published_with_objection(administrator)
    page = admin_client.get(reverse("admin:publicity_objection_change", args=[objection.pk]))
    assert "处理异议" in page.content.decode()

    response = admin_client.post(
        reverse("admin:publicity_objection_decide", args=[objection.pk]),
        {"outcome": "upheld", "comment": "经核实，采购额虚报"},
    )

    assert response.status_code == 302
    assert Objection.objects.get().outcome == "upheld"
    assert (
        Application.objects.get(pk=objection.entry.application_id).state == State.MUNICIPAL_REVIEW
    )


@pytest.mark.parametrize("role", ["finance", "municipal_reviewer", "district_reviewer"])
def test_other_officials_have_no_publicity_pages(client, role, policy):
    from tests.enterprises.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, roles=[role]))

    assert client.get(reverse("admin:publicity_publicity_changelist")).status_code == 403
    assert client.get(reverse("admin:publicity_objection_changelist")).status_code == 403


APPLICATIONS_URL = "admin:applications_application_changelist"


def test_the_application_list_publicises_the_chosen_approved_applications(admin_client):
    applications = approved_applications(3, publicised=False)
    other_window = approved_applications(1, publicised=False)
    already = approved_applications(1)  # through a closed 公示 already
    chosen = [applications[0], applications[1], other_window[0], already[0]]

    response = admin_client.post(
        reverse(APPLICATIONS_URL),
        {"action": "publicise_applications", "_selected_action": [a.pk for a in chosen]},
        follow=True,
    )

    assert response.status_code == 200
    drafts = Publicity.objects.filter(state=PublicityState.DRAFT).order_by("pk")
    assert [set(p.entries.values_list("application_id", flat=True)) for p in drafts] == [
        {applications[0].pk, applications[1].pk},
        {other_window[0].pk},
    ]
    page = response.content.decode()
    assert "已生成公示草稿" in page
    assert already[0].reference in page and "未列入公示" in page


def test_only_administrators_are_offered_the_publicity_action(client, finance_user):
    approved_applications(1, publicised=False)
    client.force_login(finance_user)

    page = client.get(reverse(APPLICATIONS_URL))

    assert page.status_code == 200
    assert "publicise_applications" not in page.content.decode()


def test_the_publicity_filter_tells_what_finance_may_pay(admin_client, administrator):
    waiting = approved_applications(1, publicised=False)[0]
    cleared = approved_applications(1)[0]
    under_way = approved_applications(1, publicised=False)
    publicity = services.publicity_create(
        window=under_way[0].window, measure=under_way[0].track.measure, by=administrator
    )
    services.publicity_publish(publicity=publicity, by=administrator)

    def listed(value):
        page = admin_client.get(reverse(APPLICATIONS_URL), {"publicity": value})
        assert page.status_code == 200
        return {a.reference for a in page.context["cl"].result_list}

    assert listed("none") == {waiting.reference}
    assert listed("open") == {under_way[0].reference}
    assert listed("cleared") == {cleared.reference}
    assert listed("upheld") == set()


def test_an_application_in_a_draft_publicity_still_waits_for_one(admin_client, administrator):
    drafted = approved_applications(1, publicised=False)[0]
    services.publicity_create(
        window=drafted.window, measure=drafted.track.measure, by=administrator
    )

    def listed(value):
        page = admin_client.get(reverse(APPLICATIONS_URL), {"publicity": value})
        return {a.reference for a in page.context["cl"].result_list}

    assert listed("none") == {drafted.reference}
    assert listed("open") == set()


def test_a_decided_objection_offers_no_form_and_says_who_decided_it(admin_client, administrator):
    administrator.first_name = "孙丽"
    administrator.save()
    _publicity, objection = published_with_objection(administrator)
    services.objection_decide(
        objection=objection, by=administrator, outcome="dismissed", comment="经核实无误"
    )
    change_url = reverse("admin:publicity_objection_change", args=[objection.pk])

    response = admin_client.get(
        reverse("admin:publicity_objection_decide", args=[objection.pk]), follow=True
    )

    assert response.redirect_chain == [(change_url, 302)]
    text = [str(m) for m in response.context["messages"]]
    assert any("孙丽" in m and "异议不成立" in m and "不能再次处理" in m for m in text), text


def test_a_publicity_offers_close_only_once_it_can_be_closed(admin_client, administrator):
    publicity, objection = published_with_objection(administrator)
    Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - timedelta(hours=1))
    page = reverse("admin:publicity_publicity_change", args=[publicity.pk])

    assert 'id="take-close"' not in admin_client.get(page).content.decode()
    services.objection_decide(
        objection=objection, by=administrator, outcome="dismissed", comment="经核实无误"
    )
    assert 'id="take-close"' in admin_client.get(page).content.decode()


def test_the_publicity_log_reads_objection_decisions_as_actions_with_names(
    admin_client, administrator
):
    administrator.first_name = "孙丽"
    administrator.save()
    publicity, objection = published_with_objection(administrator)
    services.objection_decide(
        objection=objection, by=administrator, outcome="dismissed", comment="经核实无误"
    )

    page = admin_client.get(
        reverse("admin:publicity_publicity_change", args=[publicity.pk])
    ).content.decode()

    assert "孙丽（系统管理员）" in page
    assert "草稿 → 公示中" in page
    assert "公示中 → 公示中" not in page
