"""Ratings in the admin: administrators read them and their averages; nobody writes them."""

import re

import pytest
from django.urls import reverse

from enterprises.districts import District
from measures.models import Measure
from ratings.models import Rating
from tests.enterprises.factories import UserFactory
from tests.ratings.factories import district_rejected, paid_application, rating
from tests.zh_hans import english_on_page

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:ratings_rating_changelist")


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


@pytest.fixture
def ratings(policy, enterprise_user, district_reviewer):
    """Two paid (渝北 5 and 江北 2) and one rejected at the district (渝北 3)."""
    yubei, yubei_user = paid_application(district=District.YUBEI)
    jiangbei, jiangbei_user = paid_application(district=District.JIANGBEI)
    rejected = district_rejected(user=enterprise_user, district_reviewer=district_reviewer)
    return [
        rating(application=yubei, user=yubei_user, score=5, comment="办理很快，服务周到"),
        rating(application=jiangbei, user=jiangbei_user, score=2),
        rating(application=rejected, user=enterprise_user, score=3),
    ]


WITHHELD = "不足5条，不予显示"


@pytest.fixture
def more_ratings(ratings):
    """Four more paid in 渝北, rated 4: 渝北 and 已拨付 reach 6 ratings, 江北 and the rejected
    stay at 1."""
    more = []
    for _ in range(4):
        application, user = paid_application(district=District.YUBEI)
        more.append(rating(application=application, user=user, score=4))
    return [*ratings, *more]


def _averages(page: str) -> dict[str, tuple[str, str]]:
    """{group label: (count, average)} from the averages' tables."""
    return {
        label: (count, average)
        for label, count, average in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td[^>]*>([^<]+)</td></tr>', page
        )
    }


def test_the_administrator_reads_every_rating_with_the_averages(
    client, administrator, more_ratings
):
    client.force_login(administrator)

    page = client.get(CHANGELIST).content.decode()

    for each in more_ratings:
        assert each.application.reference in page
        assert each.application.enterprise.name in page
    assert "办理很快，服务周到" in page
    assert "当前列表 7 条评价，平均 <strong>3.71</strong> 分" in page
    averages = _averages(page)
    assert averages["渝北区"] == ("6", "4.00")
    assert averages["已拨付"] == ("6", "3.83")
    assert averages[str(Measure.objects.get(number=2))] == ("7", "3.71")
    # One rating each: its enterprise's score, not an average to show.
    assert averages["江北区"] == ("1", WITHHELD)
    assert averages["区县审核不通过"] == ("1", WITHHELD)
    assert not english_on_page(page, allowed={administrator.username})


def test_no_average_of_fewer_than_5_ratings_is_shown(client, administrator, ratings):
    client.force_login(administrator)

    page = client.get(CHANGELIST).content.decode()

    assert f"当前列表 3 条评价，平均分：{WITHHELD}" in page
    averages = _averages(page)
    assert averages and all(average == WITHHELD for _count, average in averages.values())
    assert "3.33" not in page and "2.00" not in page


def test_the_averages_follow_the_list_s_filters(client, administrator, more_ratings):
    client.force_login(administrator)

    page = client.get(CHANGELIST + "?district=500112").content.decode()
    filtered = client.get(CHANGELIST + "?stage=disbursed").content.decode()

    assert "当前列表 6 条评价，平均 <strong>4.00</strong> 分" in page
    assert "江北区" not in _averages(page)
    assert "当前列表 6 条评价，平均 <strong>3.83</strong> 分" in filtered


def test_the_averages_take_one_query_per_grouping(
    client, administrator, ratings, django_assert_max_num_queries
):
    client.force_login(administrator)
    client.get(CHANGELIST)  # caches warmed
    for _ in range(5):
        application, user = paid_application()
        rating(application=application, user=user, score=4)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    Rating.objects.all().delete()
    with CaptureQueriesContext(connection) as none:
        client.get(CHANGELIST)
    assert len(few) <= len(none) + 4


def test_a_rating_s_page_is_read_only(client, administrator, ratings):
    client.force_login(administrator)
    one = ratings[0]
    url = reverse("admin:ratings_rating_change", args=[one.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"score": "1", "comment": "改"})

    assert "办理很快，服务周到" in page and 'name="score"' not in page
    assert response.status_code in (302, 403)
    one.refresh_from_db()
    assert (one.score, one.comment) == (5, "办理很快，服务周到")
    assert client.get(reverse("admin:ratings_rating_add")).status_code == 403
    assert client.post(reverse("admin:ratings_rating_delete", args=[one.pk])).status_code == 403
    assert Rating.objects.count() == 3


@pytest.mark.parametrize("role", ["district_reviewer", "municipal_reviewer", "finance"])
def test_other_officials_do_not_see_ratings(client, ratings, role):
    official = UserFactory(is_staff=True, roles=[role])
    client.force_login(official)

    assert client.get(CHANGELIST).status_code == 403
    assert (
        reverse("admin:app_list", args=["ratings"])
        not in client.get(reverse("admin:index")).content.decode()
    )


def test_the_administrator_finds_ratings_on_the_workplace(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:app_list", args=["ratings"]) in page
    assert "服务评价" in page


def test_the_score_filter_offers_every_score_with_its_word(client, administrator, ratings):
    client.force_login(administrator)

    page = client.get(CHANGELIST + "?score=5").content.decode()

    assert "1分（非常不满意）" in page and "5分（非常满意）" in page
    assert f"当前列表 1 条评价，平均分：{WITHHELD}" in page
    assert client.get(CHANGELIST + "?score=9").status_code == 302  # the admin's wrong filter
