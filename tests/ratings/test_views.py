"""The rating on the application's page: the form while it may be rated, the rating after."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services as application_services
from ratings.models import Rating
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseUserFactory
from tests.ratings.factories import district_rejected, paid_application, rating

pytestmark = pytest.mark.django_db


def _page(client, application) -> str:
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_paid_application_shows_the_rating_form(client, policy):
    application, user = paid_application()
    client.force_login(user)

    page = _page(client, application)

    assert f'action="{reverse("ratings:rate", args=[application.pk])}"' in page
    # Accessible stars: five radio buttons, each with its label in words.
    for score, word in ((1, "非常不满意"), (3, "一般"), (5, "非常满意")):
        assert f'value="{score}"' in page
        assert f"{score}分" in page and word in page
    assert page.count('type="radio"') == 5
    assert "<legend>评分</legend>" in page


def test_a_rejected_application_shows_the_rating_form(client, enterprise_user, district_reviewer):
    application = district_rejected(user=enterprise_user, district_reviewer=district_reviewer)
    client.force_login(enterprise_user)

    assert reverse("ratings:rate", args=[application.pk]) in _page(client, application)


def test_an_application_under_review_shows_no_rating_form(client, enterprise_user):
    application = application_services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    client.force_login(enterprise_user)

    page = _page(client, application)

    assert reverse("ratings:rate", args=[application.pk]) not in page
    assert "服务评价" not in page


def test_rating_shows_the_rating_instead_of_the_form(client, policy):
    application, user = paid_application()
    client.force_login(user)

    response = client.post(
        reverse("ratings:rate", args=[application.pk]), {"score": "4", "comment": "办理及时"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk]) + "#rating"
    assert "感谢您的评价！" in _messages(response)
    saved = Rating.objects.get(application=application)
    assert (saved.score, saved.comment, saved.rated_by) == (4, "办理及时", user)
    page = _page(client, application)
    assert reverse("ratings:rate", args=[application.pk]) not in page
    assert "4分" in page and "满意" in page and "办理及时" in page


def test_a_second_rating_is_refused_in_chinese(client, policy):
    application, user = paid_application()
    rating(application=application, user=user, score=2)
    client.force_login(user)

    response = client.post(reverse("ratings:rate", args=[application.pk]), {"score": "5"})

    assert response.status_code == 302
    assert any("已经评价过" in m for m in _messages(response))
    assert Rating.objects.get().score == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择1至5分的评分。"),
        ({"score": "0"}, "请选择1至5分的评分。"),
        ({"score": "6"}, "请选择1至5分的评分。"),
        ({"score": "好"}, "请选择1至5分的评分。"),
        ({"score": "3", "comment": "慢" * 1001}, "意见建议不能超过1000个字。"),
    ],
)
def test_a_bad_rating_is_refused_in_chinese(client, policy, data, message):
    application, user = paid_application()
    client.force_login(user)

    response = client.post(reverse("ratings:rate", args=[application.pk]), data)

    assert response.status_code == 302
    assert message in _messages(response)
    assert not Rating.objects.exists()


def test_rating_an_application_under_review_is_refused(client, enterprise_user):
    application = application_services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    client.force_login(enterprise_user)

    response = client.post(reverse("ratings:rate", args=[application.pk]), {"score": "5"})

    assert "申报拨付或审核不通过后才能评价。" in _messages(response)
    assert not Rating.objects.exists()


def test_another_enterprise_gets_404(client, policy, other_enterprise_user):
    application, _user = paid_application()
    client.force_login(other_enterprise_user)

    response = client.post(reverse("ratings:rate", args=[application.pk]), {"score": "5"})

    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rating_takes_post_only(client, policy):
    application, user = paid_application()
    client.force_login(user)

    assert client.get(reverse("ratings:rate", args=[application.pk])).status_code == 405


def test_the_rating_form_needs_the_csrf_token(policy):
    from django.test import Client

    application, user = paid_application()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("ratings:rate", args=[application.pk]), {"score": "5"})

    assert response.status_code == 403
    assert not Rating.objects.exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_page_of_a_paid_application_makes_as_many_queries_rated_or_not(client, policy):
    """The rating is read with the application, in its query: the form and the rating cost
    nothing more than a page without either."""
    application, user = paid_application()
    colleague_application = draft(user=EnterpriseUserFactory(enterprise=application.enterprise))
    client.force_login(user)
    url = reverse("applications:detail", args=[application.pk])
    unrated = _queries(client, url)
    rating(application=application, user=user, comment="好")
    rated = _queries(client, url)
    under_way = _queries(client, reverse("applications:detail", args=[colleague_application.pk]))

    assert rated == unrated
    assert under_way <= unrated


def test_my_applications_invite_to_rate_those_paid_or_rejected_and_not_rated(
    client, policy, district_reviewer
):
    application, user = paid_application()
    rejected = district_rejected(user=user, district_reviewer=district_reviewer)
    under_way = application_services.application_submit(application=draft(user=user), by=user)
    client.force_login(user)
    rating(application=rejected, user=user)

    page = client.get(reverse("applications:home")).content.decode()

    invitation = reverse("applications:detail", args=[application.pk]) + "#rating"
    assert f'href="{invitation}"' in page
    assert page.count("欢迎评价本次服务") == 1
    assert reverse("applications:detail", args=[under_way.pk]) + "#rating" not in page
