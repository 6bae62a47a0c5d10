"""The dashboard's pages and downloads: who gets them, what they show, what they cost."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Application, State
from dashboard.charts import CHARTS
from enterprises.models import Enterprise
from tests.enterprises.factories import UserFactory

from .conftest import JIANGBEI, YUBEI
from .factories import application, rating

RATING_CHARTS = ["ratings-by-measure", "ratings-by-district", "ratings-by-stage"]
OTHER_CHARTS = [chart.key for chart in CHARTS if chart.key not in RATING_CHARTS]
WITHHELD = "不足5条，不予显示"

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:index")
TRANSPARENCY = reverse("transparency")


def xlsx(chart: str) -> str:
    return reverse("dashboard:xlsx", args=[chart])


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).active


def cells(sheet) -> list:
    return [
        value for row in sheet.iter_rows(values_only=True) for value in row if value is not None
    ]


# ── who ────────────────────────────────────────────────────────────────────────────────────


def test_visitors_and_enterprises_are_sent_to_the_admin_login(client, enterprise_user):
    for url in (DASHBOARD, xlsx("by-state")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        client.force_login(enterprise_user)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        client.logout()


def test_staff_without_a_role_or_a_district_reviewer_without_a_district_are_refused(client, policy):
    for user in (
        UserFactory(is_staff=True),
        UserFactory(is_staff=True, roles=["district_reviewer"], district=""),
    ):
        client.force_login(user)
        assert client.get(DASHBOARD).status_code == 403
        assert client.get(xlsx("by-state")).status_code == 403


@pytest.mark.parametrize(
    "role", ["administrator_user", "municipal_reviewer", "finance_user", "superuser"]
)
def test_administrators_municipal_reviewers_and_finance_see_the_city(client, city, role, request):
    if role == "administrator_user":
        user = request.getfixturevalue("administrator")
    elif role == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get(DASHBOARD).content.decode()
    assert "数据看板 · 全市" in page
    assert "渝北区" in page and "江北区" in page


def test_an_unknown_chart_is_not_found(client, administrator):
    client.force_login(administrator)
    assert client.get(xlsx("no-such-chart")).status_code == 404


def test_the_admin_index_links_the_dashboard_for_those_who_may_see_it(
    client, administrator, district_reviewer
):
    for user in (administrator, district_reviewer):
        client.force_login(user)
        assert DASHBOARD in client.get(reverse("admin:index")).content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert DASHBOARD not in client.get(reverse("admin:index")).content.decode()


# ── a district's slice ─────────────────────────────────────────────────────────────────────


def test_a_district_reviewer_sees_only_its_district_on_the_page(client, city, district_reviewer):
    client.force_login(district_reviewer)
    page = client.get(DASHBOARD).content.decode()
    assert "渝北区（本区县）" in page
    # 渝北's own figures are there...
    assert "3,000,000.75元" in page and "2,000,000.25元" in page
    # ...and nothing of 江北: its name, its 300万元, the city's totals.
    for other in ("江北区", "300万元", "6,000,000.75元", "5,000,000.25元"):
        assert other not in page, other
    for enterprise in Enterprise.objects.all():
        assert enterprise.name not in page


@pytest.mark.parametrize("chart", OTHER_CHARTS)
def test_a_district_reviewers_downloads_hold_only_its_district(
    client, city, district_reviewer, chart
):
    client.force_login(district_reviewer)
    response = client.get(xlsx(chart))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-{chart}-{YUBEI}.xlsx"'
    )
    values = cells(sheet_of(response))
    text = " ".join(str(value) for value in values)
    assert "江北区" not in text
    assert 3000000 not in values and 6000000.75 not in values


def test_the_other_district_sees_its_own_figures(client, city, other_district_reviewer):
    client.force_login(other_district_reviewer)
    page = client.get(DASHBOARD).content.decode()
    assert "江北区（本区县）" in page and "300万元" in page
    assert "渝北区" not in page


# ── the ratings: administrators', and never a small group's average ─────────────────────────


@pytest.mark.parametrize(
    "role", ["district_reviewer", "other_district_reviewer", "municipal_reviewer", "finance_user"]
)
def test_only_administrators_see_the_ratings_charts(client, city, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(DASHBOARD)

    page = response.content.decode()
    assert "服务评价" not in page
    for chart in RATING_CHARTS:
        assert f'id="chart-{chart}"' not in page and xlsx(chart) not in page
        assert client.get(xlsx(chart)).status_code == 403
    assert {plot["key"] for plot in response.context["plots"]} == set(OTHER_CHARTS)


def _more_ratings(district, score, count, *, window):
    for _ in range(count):
        paid = application(state=State.DISBURSED, district=district, window=window)
        rating(paid, score=score)


def _ratings_tables(response) -> dict:
    return {
        table.key: {row[0]["text"]: row[1:] for row in table.cell_rows()}
        for table in response.context["tables"]
        if table.key in RATING_CHARTS
    }


def test_a_group_of_fewer_than_5_ratings_shows_no_average(client, city, administrator):
    """渝北 has 1 rating and 江北 2: the one enterprise's score of 渝北 is nowhere."""
    client.force_login(administrator)

    response = client.get(DASHBOARD)

    tables = _ratings_tables(response)
    assert tables["ratings-by-district"]["渝北区"] == [
        {"text": "1", "numeric": True},
        {"text": WITHHELD, "numeric": True},
    ]
    assert tables["ratings-by-district"]["江北区"][1]["text"] == WITHHELD
    assert all(row[1]["text"] == WITHHELD for table in tables.values() for row in table.values())
    plots = {plot["key"]: plot for plot in response.context["plots"]}
    for chart in RATING_CHARTS:
        assert plots[chart]["series"][0]["values"] == [None] * len(plots[chart]["categories"])
        # Nothing to draw: no chart of empty axes, the table says why.
        assert f'data-chart="{chart}"' not in response.content.decode()
        values = cells(sheet_of(client.get(xlsx(chart))))
        assert WITHHELD in values
        assert not [value for value in values if isinstance(value, float)]
        assert 5 not in values and 1.5 not in values


def test_a_group_of_5_ratings_shows_its_average(client, city, administrator):
    # 渝北: 5 and four 4s, 4.20; 江北 stays at 2.
    _more_ratings(YUBEI, 4, 4, window=city["window"])
    client.force_login(administrator)

    response = client.get(DASHBOARD)

    by_district = _ratings_tables(response)["ratings-by-district"]
    assert 'data-chart="ratings-by-district"' in response.content.decode()
    assert by_district["渝北区"][1]["text"] == "4.20"
    assert by_district["江北区"][1]["text"] == WITHHELD
    sheet = cells(sheet_of(client.get(xlsx("ratings-by-district"))))
    assert 4.2 in sheet and WITHHELD in sheet


# ── the downloads ──────────────────────────────────────────────────────────────────────────


def test_the_xlsx_has_the_tables_rows_with_amounts_as_numbers(client, city, administrator):
    client.force_login(administrator)
    sheet = sheet_of(client.get(xlsx("by-district")))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "各区县申报与资金"
    assert rows[1][0] == "全市"
    assert rows[3] == ("区县", "申报数（件）", "已核定", "已拨付")
    assert rows[4] == ("渝北区", 3, 3000000.75, 2000000.25)
    assert rows[5] == ("江北区", 2, 3000000, 3000000)
    assert sheet["C5"].number_format == "#,##0.00"


def test_the_processing_xlsx_has_the_share_paid_within_the_limit(client, city, administrator):
    client.force_login(administrator)
    values = cells(sheet_of(client.get(xlsx("processing"))))
    assert "在办理时限内拨付" in values
    assert "50.0%（2件中1件）" in values
    assert 18.0 in values


# ── the page ───────────────────────────────────────────────────────────────────────────────


def test_the_page_carries_every_charts_data_and_table(client, city, administrator):
    client.force_login(administrator)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert '<script id="stats-data" type="application/json">' in page
    for chart in CHARTS:
        assert f'id="chart-{chart.key}"' in page
        assert xlsx(chart.key) in page
    assert "static/vendor/echarts/echarts.min.js" in page
    assert "cdn" not in page.lower()
    plots = {plot["key"]: plot for plot in response.context["plots"]}
    assert plots["by-state"]["type"] == "pie"
    assert plots["by-district"]["categories"] == ["渝北区", "江北区"]
    # Amounts are plotted in 万元.
    approved = next(s for s in plots["by-district"]["series"] if s["name"] == "已核定")
    assert approved["values"] == [300.0, 300.0]
    # The city's budgets are drawn as what each holds: paid, approved not yet paid, left.
    window = plots["money-by-window"]
    at = window["categories"].index(f"第2条 · {city['window'].name}")
    assert {s["name"]: s["values"][at] for s in window["series"]} == {
        "已拨付": 500.0,
        "已核定待拨付": 100.0,
        "预算余额": 4400.0,
    }
    assert all(s["stack"] == "whole" for s in window["series"])
    assert "6,000,000.75元" in page


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


# The session, the user, the device that gave the second factor, its roles, its own and its
# groups' permissions (the admin's list of apps), the unread notifications, and one query per
# chart; the ratings' are administrators'.
PAGE_QUERIES = 7 + len(CHARTS)
REVIEWER_PAGE_QUERIES = 7 + len(OTHER_CHARTS)


def test_the_page_costs_the_same_queries_however_many_applications(
    client, city, administrator, district_reviewer
):
    expected = {administrator: PAGE_QUERIES, district_reviewer: REVIEWER_PAGE_QUERIES}
    for user in (administrator, district_reviewer):
        client.force_login(user)
        assert _dashboard_queries(client) == expected[user]
    for district in (YUBEI, JIANGBEI, YUBEI):
        application(
            state=State.DISBURSED,
            district=district,
            amount=Decimal("10000"),
            district_days=1,
            municipal_days=1,
            payment_days=1,
            limit_days=30,
        )
    for user in (administrator, district_reviewer):
        client.force_login(user)
        assert _dashboard_queries(client) == expected[user]


def test_kept_figures_spare_the_charts_queries(client, city, administrator, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(administrator)
    assert _dashboard_queries(client) == PAGE_QUERIES
    assert _dashboard_queries(client) == PAGE_QUERIES - len(CHARTS)
    cache.clear()


# ── 政策兑现公开 ─────────────────────────────────────────────────────────────────────────────


def test_the_public_page_shows_totals_and_nothing_of_any_enterprise(client, city):
    response = client.get(TRANSPARENCY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "政策兑现公开" in page
    assert "6,000,000.75元" in page and "5,000,000.25元" in page
    assert "3,000,000.75元" in page and "300万元" in page
    for enterprise in Enterprise.objects.all():
        assert enterprise.name not in page
        assert enterprise.credit_code not in page
    for reference in Application.objects.exclude(reference=None).values_list(
        "reference", flat=True
    ):
        assert reference not in page


def test_the_public_page_costs_two_queries_however_many_applications(
    client, city, django_assert_num_queries
):
    with django_assert_num_queries(2):
        client.get(TRANSPARENCY)
    application(state=State.APPROVED, district=JIANGBEI, amount=Decimal("10000"))
    with django_assert_num_queries(2):
        client.get(TRANSPARENCY)


def test_the_public_page_is_linked_from_every_public_page(client, policy):
    assert TRANSPARENCY in client.get(reverse("measures:catalogue")).content.decode()
    assert TRANSPARENCY in client.get(reverse("publicity:list")).content.decode()
