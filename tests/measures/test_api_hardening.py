"""What an attack on the public API found, each closed with a test that failed before."""

import json

import pytest
from django.core.cache import cache

from applications import services
from applications.errors import ApplicationError
from measures.api import quote_throttle_key
from measures.fields import StrictBooleanField, StrictDecimalField
from tests.applications.factories import draft

URL = "/api/measures/{number}/quote/"


def post(client, number, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL.format(number=number), body, content_type="application/json", **extra)


INSURANCE = {"insured_amount": "100000000", "annual_premium": "3000000"}


@pytest.mark.parametrize("flag", [0, "0", "no", "off", 1, "1", "yes", "是", [], {}])
def test_only_true_and_false_are_yes_and_no(client, policy, flag):
    response = post(
        client,
        11,
        {"track": "first-unit-insurance", "declared": {**INSURANCE, "first_units_or_batch": flag}},
    )

    assert response.status_code == 400, response.json()
    assert "first_units_or_batch" in response.json()["declared"]


@pytest.mark.parametrize(("flag", "eligible"), [(True, True), (False, False), ("true", True)])
def test_true_and_false_still_answer(client, policy, flag, eligible):
    response = post(
        client,
        11,
        {"track": "first-unit-insurance", "declared": {**INSURANCE, "first_units_or_batch": flag}},
    )

    assert response.status_code == 200 and response.json()["eligible"] is eligible


def test_the_same_yes_and_no_in_forms_and_services(enterprise_user):
    field = StrictBooleanField(required=False)
    assert field.clean(True) is True and field.clean(False) is False
    for junk in ("no", "0", "off"):
        with pytest.raises(Exception, match="是或否"):
            field.clean(field.widget.value_from_datadict({"x": junk}, {}, "x"))
    assert field.widget.value_from_datadict({"x": "on"}, {}, "x") is True  # a ticked checkbox
    assert field.widget.value_from_datadict({}, {}, "x") is False  # an unticked one
    application = draft(user=enterprise_user, code="supply-chain", documents=False)
    with pytest.raises(ApplicationError):
        services.application_update_declared(
            application=application,
            by=enterprise_user,
            declared={"annual_purchase_amount": "1_000", "new_purchase_amount": "1"},
        )


def test_deeply_nested_json_is_a_400_not_a_500(client, policy):
    response = post(client, 2, "[" * 100_000 + "]" * 100_000)

    assert response.status_code in (400, 413)


def test_a_large_body_is_refused_before_it_is_read_whole(client, policy):
    declared = {f"k{i}": "1" for i in range(20_000)}

    response = post(client, 2, {"track": "supply-chain", "declared": declared})

    assert response.status_code == 413
    assert "过大" in response.json()["detail"]


def test_unknown_keys_get_one_message_however_many(client, policy):
    declared = {"annual_purchase_amount": "1", "new_purchase_amount": "1"}
    declared.update({f"junk{i}": "1" for i in range(2000)})

    response = post(client, 2, {"track": "supply-chain", "declared": declared})

    assert response.status_code == 400
    messages = response.json()["declared"]
    assert len(messages) == 1 and "共2000项" in messages[0]
    assert len(response.content) < 2000


# "sNaN", found by tests/measures/test_properties.py, was a 500: comparing it to 0 raised.
@pytest.mark.parametrize("figure", ["1_000", "1,000", "NaN", "Infinity", "sNaN", "-sNaN"])
def test_digit_separators_and_non_numbers_are_refused(client, policy, figure):
    response = post(
        client,
        2,
        {
            "track": "supply-chain",
            "declared": {"annual_purchase_amount": "200000000", "new_purchase_amount": figure},
        },
    )

    assert response.status_code == 400


def test_minus_zero_is_zero_and_a_zero_award_is_not_eligible(client, policy):
    assert str(StrictDecimalField(decimal_places=2).clean("-0")) in ("0", "0.00")
    response = post(
        client,
        2,
        {
            "track": "supply-chain",
            "declared": {"annual_purchase_amount": "200000000", "new_purchase_amount": "-0"},
        },
    )

    body = response.json()
    assert response.status_code == 200
    assert body["eligible"] is False and body["amount"] is None
    assert "为0" in body["reasons"][0]


def test_a_reviewers_amount_is_read_as_strictly():
    from reviews.forms import DecisionForm

    form = DecisionForm(
        {"amount": "1_000", "comment": "", "comment_public": "on"}, transition="district_approve"
    )

    assert not form.is_valid() and "amount" in form.errors


def test_anonymous_quotes_are_rate_limited_per_client(client, policy, settings):
    settings.QUOTE_RATE = "3/min"
    cache.delete_many([quote_throttle_key(ip) for ip in ("10.9.8.7", "10.9.8.6")])
    payload = {
        "track": "supply-chain",
        "declared": {"annual_purchase_amount": "200000000", "new_purchase_amount": "1000000"},
    }

    codes = [post(client, 2, payload, REMOTE_ADDR="10.9.8.7").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert post(client, 2, payload, REMOTE_ADDR="10.9.8.6").status_code == 200


@pytest.mark.parametrize("figure", ["0e-999999999", "-0E-1000100"])
def test_a_zero_with_a_vast_exponent_is_a_400_not_a_500(client, policy, figure):
    # Found by tests/measures/test_properties.py: making -0 into 0 quantized to the figure's
    # own exponent, which the decimal context cannot reach.
    response = post(
        client,
        10,
        {
            "track": "ic-manufacturing",
            "declared": {"actual_investment": "600000000", "interest_paid": figure},
        },
    )

    assert response.status_code == 400
    assert "interest_paid" in response.json()["declared"]


@pytest.mark.parametrize(
    "body",
    [
        '{"track": "supply-chain", "declared": {"\\ud800": "1"}}',
        '{"track": "supply-chain", "declared": {"annual_purchase_amount": "\\udfff"}}',
    ],
)
def test_a_lone_surrogate_is_not_json_we_take(client, policy, body):
    # Found by tests/measures/test_properties.py: an unknown name is echoed in the answer, and
    # a lone surrogate cannot be encoded as UTF-8, so the answer itself failed.
    response = post(client, 2, body)

    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的JSON。"


def test_a_surrogate_pair_is_one_character_and_taken(client, policy):
    response = post(
        client, 15, '{"track": "software-product", "declared": {"product_name": "\\ud83d\\ude97"}}'
    )

    assert response.status_code == 200 and response.json()["eligible"] is True


def test_null_is_a_figure_not_given(client, policy):
    # As api._as_form_value says: an optional yes/no sent as null is no, a required figure as
    # null is missing.
    declared = {**INSURANCE, "first_units_or_batch": None}

    response = post(client, 11, {"track": "first-unit-insurance", "declared": declared})

    assert response.status_code == 200 and response.json()["eligible"] is False
    response = post(
        client,
        11,
        {"track": "first-unit-insurance", "declared": {**declared, "annual_premium": None}},
    )
    assert response.status_code == 400 and "annual_premium" in response.json()["declared"]


@pytest.mark.parametrize("flag", [True, False])
def test_true_and_false_are_no_text(client, policy, flag):
    # JSON true/false are a yes/no field's answers; a text field does not read them as words.
    response = post(
        client,
        18,
        {"track": "key-industrial-park", "declared": {"park_name": flag}},
    )

    assert response.status_code == 400, response.json()
    assert "park_name" in response.json()["declared"]
