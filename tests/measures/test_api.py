from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from measures.models import ApplicationWindow, Measure


def post_quote(client, number, body):
    return client.post(f"/api/measures/{number}/quote/", body, content_type="application/json")


def test_measure_list_has_all_23_measures_with_their_tracks(client, policy):
    response = client.get("/api/measures/")

    assert response.status_code == 200
    data = response.json()
    assert [m["number"] for m in data] == list(range(1, 24))
    by_number = {m["number"]: m for m in data}
    assert [t["code"] for t in by_number[10]["tracks"]] == [
        "ic-design",
        "ic-manufacturing",
        "ic-equipment-materials",
    ]
    assert by_number[4]["kind"] == "programme" and by_number[4]["tracks"] == []


def test_measure_list_runs_a_fixed_number_of_queries(client, policy, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/api/measures/")


def test_measure_detail_gives_track_fields_and_rule_as_decimal_strings(client, policy):
    response = client.get("/api/measures/2/")

    assert response.status_code == 200
    track = response.json()["tracks"][0]
    assert track["code"] == "supply-chain"
    assert [f["name"] for f in track["fields"]] == ["annual_purchase_amount", "new_purchase_amount"]
    assert track["rule"]["kind"] == "formula"
    assert Decimal(track["rule"]["rate"]) == Decimal("0.01")
    assert track["rule"]["cap"] == "2000000.00"
    assert track["thresholds"][0]["value"] == "100000000.00"


def test_measure_detail_of_unknown_measure_is_404(client, policy):
    assert client.get("/api/measures/99/").status_code == 404


def test_measure_shows_open_only_while_a_window_is_open(client, policy):
    measure = Measure.objects.get(number=2)
    now = timezone.now()
    assert client.get("/api/measures/2/").json()["is_open"] is False
    ApplicationWindow.objects.create(
        measure=measure,
        year=now.year,
        name="第一批",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        total_budget=Decimal("1000000"),
    )
    assert client.get("/api/measures/2/").json()["is_open"] is True


def test_quote_for_measure_2_caps_one_percent_of_300_million_at_two_million(client, policy):
    response = post_quote(
        client,
        2,
        {
            "track": "supply-chain",
            "declared": {"annual_purchase_amount": "300000000", "new_purchase_amount": "300000000"},
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "eligible": True,
        "reasons": [],
        "amount": "2000000.00",
        "min_amount": None,
        "max_amount": "2000000.00",
        "explanation": response.json()["explanation"],
    }


def test_quote_for_measure_2_below_100_million_purchases_is_not_eligible(client, policy):
    response = post_quote(
        client,
        2,
        {
            "track": "supply-chain",
            "declared": {
                "annual_purchase_amount": "99999999.99",
                "new_purchase_amount": "50000000",
            },
        },
    )

    data = response.json()
    assert response.status_code == 200
    assert data["eligible"] is False
    assert data["amount"] is None
    assert "1亿元" in data["reasons"][0]


@pytest.mark.parametrize(
    ("investment", "eligible", "amount"),
    [("30000000", True, "3600000.00"), ("19990000", False, None), ("20000000", True, "2400000.00")],
)
def test_quote_for_measure_10_design_track(client, policy, investment, eligible, amount):
    response = post_quote(
        client, 10, {"track": "ic-design", "declared": {"actual_investment": investment}}
    )

    assert response.status_code == 200
    assert response.json()["eligible"] is eligible
    assert response.json()["amount"] == amount


def test_quote_for_measure_11_counts_premium_at_most_three_percent_of_insured_amount(
    client, policy
):
    response = post_quote(
        client,
        11,
        {
            "track": "first-unit-insurance",
            "declared": {
                "insured_amount": "100000000",
                "annual_premium": "5000000",
                "first_units_or_batch": True,
            },
        },
    )

    # 3% of 1亿 = 300万 counts, 80% of it = 240万.
    assert response.json()["amount"] == "2400000.00"


def test_quote_for_a_range_track_gives_the_allowed_range(client, policy):
    response = post_quote(
        client, 3, {"track": "single-champion", "declared": {"recognition_document": "工信部公告"}}
    )

    data = response.json()
    assert data["eligible"] is True
    assert data["amount"] is None
    assert (data["min_amount"], data["max_amount"]) == ("500000.00", "2000000.00")


def test_quote_accepts_json_numbers(client, policy):
    response = post_quote(
        client,
        2,
        {
            "track": "supply-chain",
            "declared": {"annual_purchase_amount": 150000000, "new_purchase_amount": 12345678.9},
        },
    )

    assert response.json()["amount"] == "123456.79"


@pytest.mark.parametrize(
    ("number", "body", "where"),
    [
        (99, {"track": "x", "declared": {}}, "measure"),
        (4, {"track": "x", "declared": {}}, "measure"),
        (2, {"track": "no-such-track", "declared": {}}, "track"),
        (2, {"declared": {}}, "track"),
        (2, {"track": "supply-chain"}, "declared"),
        (2, {"track": "supply-chain", "declared": "300000000"}, "declared"),
    ],
)
def test_quote_rejects_bad_requests_with_400_naming_the_field(client, policy, number, body, where):
    response = post_quote(client, number, body)

    assert response.status_code == 400
    assert where in response.json()


@pytest.mark.parametrize(
    ("declared", "field", "fragment"),
    [
        (
            {"annual_purchase_amount": "abc", "new_purchase_amount": "1"},
            "annual_purchase_amount",
            "数字",
        ),
        (
            {"annual_purchase_amount": "-1", "new_purchase_amount": "1"},
            "annual_purchase_amount",
            "0",
        ),
        ({"annual_purchase_amount": "100000000"}, "new_purchase_amount", "必填"),
        (
            {"annual_purchase_amount": "1.001", "new_purchase_amount": "1"},
            "annual_purchase_amount",
            "2",
        ),
        (
            {"annual_purchase_amount": "NaN", "new_purchase_amount": "1"},
            "annual_purchase_amount",
            "数字",
        ),
        (
            {"annual_purchase_amount": {"a": 1}, "new_purchase_amount": "1"},
            "annual_purchase_amount",
            "数字",
        ),
    ],
)
def test_quote_rejects_bad_figures_with_a_chinese_message_per_field(
    client, policy, declared, field, fragment
):
    response = post_quote(client, 2, {"track": "supply-chain", "declared": declared})

    assert response.status_code == 400
    messages = response.json()["declared"][field]
    assert any(fragment in m for m in messages), messages


def test_quote_rejects_malformed_json_with_400(client, policy):
    response = client.post("/api/measures/2/quote/", "{not json", content_type="application/json")

    assert response.status_code == 400
