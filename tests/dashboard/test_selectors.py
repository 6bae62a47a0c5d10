"""The dashboard's figures, per chart, for the city and for one district."""

from decimal import Decimal

import pytest
from django.db import connection

from applications.models import State
from dashboard import selectors
from dashboard.charts import CHARTS
from dashboard.permissions import CITY, Scope

from .conftest import JIANGBEI, YUBEI
from .factories import application, rating

pytestmark = pytest.mark.django_db

YUBEI_ONLY = Scope(district=YUBEI)


@pytest.mark.parametrize("scope", [CITY, YUBEI_ONLY], ids=["city", "district"])
@pytest.mark.parametrize("chart", CHARTS, ids=[chart.key for chart in CHARTS])
def test_each_chart_is_one_query(chart, scope, city, django_assert_num_queries):
    with django_assert_num_queries(1):
        chart.query(scope)


def test_applications_by_state_count_submitted_ones_in_the_machines_order(city):
    assert selectors.applications_by_state(CITY) == [
        {"state": "district_review", "count": 1},
        {"state": "approved", "count": 1},
        {"state": "disbursed", "count": 2},
        {"state": "rejected", "count": 1},
    ]
    assert selectors.applications_by_state(YUBEI_ONLY) == [
        {"state": "district_review", "count": 1},
        {"state": "approved", "count": 1},
        {"state": "disbursed", "count": 1},
    ]


def test_applications_by_measure(city):
    [row] = selectors.applications_by_measure(CITY)
    assert (row["number"], row["count"]) == (2, 5)
    assert selectors.applications_by_measure(YUBEI_ONLY)[0]["count"] == 3


def test_money_per_window_comes_from_the_kept_totals_for_the_city(city):
    [row] = [r for r in selectors.money_by_window(CITY) if r["window_pk"] == city["window"].pk]
    assert row["budget"] == Decimal("50000000.00")
    assert row["approved"] == Decimal("6000000.75")
    assert row["paid"] == Decimal("5000000.25")


def test_money_per_window_of_a_district_is_its_own_share(city):
    assert selectors.money_by_window(YUBEI_ONLY) == [
        {
            "window_pk": city["window"].pk,
            "number": 2,
            "name": city["window"].name,
            "budget": Decimal("50000000.00"),
            "approved": Decimal("3000000.75"),
            "paid": Decimal("2000000.25"),
        }
    ]


def test_money_per_measure(city):
    [row] = selectors.money_by_measure(CITY)
    assert (row["number"], row["approved"], row["paid"]) == (
        2,
        Decimal("6000000.75"),
        Decimal("5000000.25"),
    )
    [row] = selectors.money_by_measure(YUBEI_ONLY)
    assert (row["approved"], row["paid"]) == (Decimal("3000000.75"), Decimal("2000000.25"))


def test_by_district(city):
    assert selectors.by_district(CITY) == [
        {
            "district": YUBEI,
            "count": 3,
            "approved": Decimal("3000000.75"),
            "paid": Decimal("2000000.25"),
        },
        {
            "district": JIANGBEI,
            "count": 2,
            "approved": Decimal("3000000.00"),
            "paid": Decimal("3000000.00"),
        },
    ]
    assert [row["district"] for row in selectors.by_district(YUBEI_ONLY)] == [YUBEI]


def _medians(result):
    return {row["stage"]: (row["median_days"], row["count"]) for row in result["stages"]}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's; CI runs it there"
)
def test_median_processing_times_on_postgresql(city):
    assert connection.vendor == "postgresql"
    result = selectors.processing_times(CITY)
    medians = _medians(result)
    assert medians["district"] == (pytest.approx(4.0), 3)
    assert medians["municipal"] == (pytest.approx(3.0), 3)
    # An even count: the mean of the two middle values (6 and 30 days).
    assert medians["payment"] == (pytest.approx(18.0), 2)
    assert medians["overall"] == (pytest.approx(28.0), 2)
    assert (result["paid"], result["paid_within_limit"]) == (2, 1)
    district = selectors.processing_times(YUBEI_ONLY)
    assert _medians(district)["district"] == (pytest.approx(3.0), 2)
    assert (district["paid"], district["paid_within_limit"]) == (1, 1)


def test_the_median_without_postgresql_gives_the_same_figures(city):
    for scope in (CITY, YUBEI_ONLY):
        in_python = selectors._processing_times_in_python(
            selectors.submitted_applications(scope).order_by()
        )
        in_database = selectors.processing_times(scope)
        assert in_python["paid"] == in_database["paid"]
        assert in_python["paid_within_limit"] == in_database["paid_within_limit"]
        for python_row, database_row in zip(
            in_python["stages"], in_database["stages"], strict=True
        ):
            assert python_row["count"] == database_row["count"]
            assert python_row["median_days"] == pytest.approx(database_row["median_days"])


def test_a_stage_begun_again_after_it_ended_is_not_counted(city):
    from datetime import timedelta

    from applications.models import Application

    # Returned by the municipal level and resubmitted: the latest submission follows the
    # district's earlier approval, so that stage has not ended yet.
    resubmitted = city["a_approved"]
    Application.objects.filter(pk=resubmitted.pk).update(
        submitted_at=resubmitted.municipal_review_at + timedelta(days=1)
    )
    assert _medians(selectors.processing_times(CITY))["district"][1] == 2


def test_ratings_of_groups_under_5_are_counted_without_an_average(city):
    [measure] = selectors.ratings_by_measure(CITY)
    assert (measure["number"], measure["count"], measure["average"]) == (2, 3, None)
    by_district = {row["district"]: row for row in selectors.ratings_by_district(CITY)}
    assert (by_district[YUBEI]["count"], by_district[YUBEI]["average"]) == (1, None)
    assert (by_district[JIANGBEI]["count"], by_district[JIANGBEI]["average"]) == (2, None)
    by_stage = {row["stage"]: row for row in selectors.ratings_by_stage(CITY)}
    assert by_stage["district_rejected"]["count"] == 1
    assert all(row["average"] is None and row["withheld"] for row in by_stage.values())
    assert [row["district"] for row in selectors.ratings_by_district(YUBEI_ONLY)] == [YUBEI]


def test_ratings_of_groups_of_5_have_their_average(city):
    for _ in range(4):
        rating(application(state=State.DISBURSED, district=YUBEI, window=city["window"]), score=4)

    [measure] = selectors.ratings_by_measure(CITY)
    by_district = {row["district"]: row for row in selectors.ratings_by_district(CITY)}
    by_stage = {row["stage"]: row for row in selectors.ratings_by_stage(CITY)}

    assert measure["count"] == 7 and measure["average"] == pytest.approx(24 / 7)
    assert by_district[YUBEI]["average"] == pytest.approx(4.2)
    assert not by_district[YUBEI]["withheld"]
    assert by_district[JIANGBEI]["average"] is None
    assert by_stage["disbursed"]["average"] == pytest.approx(23 / 6)


def test_public_totals(city):
    [measure] = selectors.public_totals_by_measure()
    assert (measure["count"], measure["approved"], measure["paid"]) == (
        3,
        Decimal("6000000.75"),
        Decimal("5000000.25"),
    )
    assert selectors.public_totals_by_district() == [
        {
            "district": YUBEI,
            "count": 2,
            "approved": Decimal("3000000.75"),
            "paid": Decimal("2000000.25"),
        },
        {
            "district": JIANGBEI,
            "count": 1,
            "approved": Decimal("3000000.00"),
            "paid": Decimal("3000000.00"),
        },
    ]
