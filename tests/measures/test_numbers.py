"""One reading of every figure (measures.numbers): what it takes, what it refuses and why, and
that whatever it takes is stored and read back as it was written, on PostgreSQL and on SQLite,
without any page failing on it."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from applications.models import Application
from enterprises import services as enterprise_services
from enterprises.models import EnterpriseFigure
from measures.fields import ExactDecimalField, StrictDecimalField, StrictIntegerField
from measures.models import ApplicationWindow, EligibilityThreshold, Track, TrackField
from measures.numbers import AMOUNT_CEILING, FIGURE_CEILING, exact_digits_ok, parse_number
from publicity.models import PublicityEntry
from tests.applications.factories import WindowFactory, draft
from tests.disbursements.factories import approved_applications

THIS_YEAR = timezone.localdate().year
PROPERTY = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# ── the reading ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("entry", "figure"),
    [
        ("1234567.89", Decimal("1234567.89")),
        (" 180000000 ", Decimal("180000000")),
        ("0.5", Decimal("0.5")),
        ("1.000", Decimal("1.00")),
        ("-0", Decimal("0")),
        ("007", Decimal("7")),
        ("１２３４．５", Decimal("1234.5")),  # full-width, as a Chinese input method types
        ("10000000000000", FIGURE_CEILING),  # 10万亿 itself
        ("9999999999999.99", Decimal("9999999999999.99")),
        (Decimal("1E+3"), Decimal("1000")),  # a number handed to a service is a number
        (Decimal("0E-999999999"), Decimal("0")),
        (1500, Decimal("1500")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_plain_digits_are_read_as_written(entry, figure):
    read = parse_number(entry)

    assert read == figure
    if figure is not None:
        assert not read.is_signed()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        # What Excel shows of 123,456,789,012 in a narrow cell: the digits behind it are lost.
        ("1.23457E+11", "不要使用科学计数法"),
        ("1e3", "不要使用科学计数法"),
        ("100E-2", "不要使用科学计数法"),
        ("99999999999999.99", "不能超过"),
        ("12345678901234.56", "不能超过"),
        ("10000000000000.01", "不能超过"),
        ("9" * 40, "不能超过"),
        (Decimal("1E+20"), "不能超过"),
        ("1_000", "不要使用千位分隔符"),
        ("1,000", "不要使用千位分隔符"),
        ("1 000", "不要使用千位分隔符"),
        ("NaN", "请输入一个数字"),
        ("Infinity", "请输入一个数字"),
        ("sNaN", "请输入一个数字"),
        (Decimal("NaN"), "请输入一个数字"),
        ("+5", "请输入一个数字"),
        (".5", "请输入一个数字"),
        ("5.", "请输入一个数字"),
        ("0x10", "请输入一个数字"),
        ("١٢٣", "请输入一个数字"),  # digits of another script
        ("12\x00", "请输入一个数字"),
        (1.5, "请输入一个数字"),  # a float is not exact
        (True, "请输入一个数字"),
        ("1.001", "最多精确到分"),
        (Decimal("1E-9"), "最多精确到分"),
        ("-5", "不能小于0元"),
    ],
)
def test_anything_else_is_refused_with_a_reason(entry, message):
    with pytest.raises(ValidationError) as refused:
        parse_number(entry)

    assert message in " ".join(refused.value.messages)


def test_the_ceiling_is_written_in_the_figure_s_unit():
    with pytest.raises(ValidationError) as amount:
        parse_number("100000000001", maximum=AMOUNT_CEILING)
    with pytest.raises(ValidationError) as count:
        parse_number("1001", maximum=Decimal(1000), decimal_places=0, money=False)

    assert amount.value.messages == ["不能超过1,000亿元，请核对金额单位（元）和位数。"]
    assert count.value.messages == ["不能超过1,000，请核对位数。"]


def test_a_whole_number_field_takes_whole_numbers_only():
    field = StrictIntegerField(min_value=0)

    assert field.clean("42") == 42 and field.clean("42.0") == 42
    for entry in ("42.5", "4e1", "1_000"):
        with pytest.raises(ValidationError, match="整数|科学计数法"):
            field.clean(entry)


def test_a_ceiling_the_databases_cannot_read_back_is_refused_where_it_is_declared():
    assert exact_digits_ok(maximum=FIGURE_CEILING, decimal_places=2)
    assert not exact_digits_ok(maximum=Decimal(10) ** 14, decimal_places=2)
    with pytest.raises(ValueError):
        StrictDecimalField(maximum=Decimal(10) ** 14, decimal_places=2)


# ── where figures enter ─────────────────────────────────────────────────────────────────────


def year_url(year: int = THIS_YEAR) -> str:
    return reverse("enterprises:file-year", args=[year])


FILE_PAGES = [reverse("enterprises:file"), year_url(), "/portal/matches/"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("99999999999999.99", "不能超过100,000亿元"),
        ("1.23457E+11", "不要使用科学计数法"),
        ("12345678901234.56", "不能超过100,000亿元"),
        ("1_000", "不要使用千位分隔符"),
    ],
)
def test_the_file_refuses_what_it_cannot_keep_and_its_pages_stay_up(
    client, enterprise_user, entry, message
):
    client.force_login(enterprise_user)

    response = client.post(year_url(), {"annual_purchase_amount": entry})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EnterpriseFigure.objects.exists()
    for page in FILE_PAGES:
        assert client.get(page).status_code == 200, page


def test_a_service_reads_the_file_s_figures_as_the_form_does(enterprise_user):
    for junk in ("1.23457E+11", Decimal("99999999999999.99"), 1.5, True):
        with pytest.raises(ValidationError, match="annual_purchase_amount"):
            enterprise_services.enterprise_figures_set(
                enterprise=enterprise_user.enterprise,
                by=enterprise_user,
                year=THIS_YEAR,
                values={"annual_purchase_amount": junk},
            )
    assert not EnterpriseFigure.objects.exists()


def test_a_figure_may_have_a_ceiling_of_its_own(client, enterprise_user):
    TrackField.objects.filter(name="annual_purchase_amount").update(maximum=Decimal("5000000"))
    client.force_login(enterprise_user)

    response = client.post(year_url(), {"annual_purchase_amount": "5000000.01"})

    assert "不能超过500万元" in response.content.decode()
    assert client.post(year_url(), {"annual_purchase_amount": "5000000"}).status_code == 302


def test_the_api_refuses_exponent_notation_as_text_and_as_a_json_number(client, policy):
    url = "/api/measures/2/quote/"
    for figure in ('"1.23457E+11"', "1.23457E+11", "1e3", "99999999999999.99"):
        body = (
            '{"track": "supply-chain", "declared": '
            f'{{"annual_purchase_amount": {figure}, "new_purchase_amount": "1"}}}}'
        )
        response = client.post(url, body, content_type="application/json")

        assert response.status_code == 400, figure
        assert "annual_purchase_amount" in response.json()["declared"]
    # A JSON number with a fraction is read as written, not through a float.
    accepted = client.post(
        url,
        json.dumps(
            {
                "track": "supply-chain",
                "declared": {"annual_purchase_amount": 200000000, "new_purchase_amount": 0.29},
            }
        ),
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["amount"] is None


def test_the_api_says_how_far_each_figure_goes(client, policy):
    track = client.get("/api/measures/2/").json()["tracks"][0]

    maxima = {field["name"]: field["maximum"] for field in track["fields"]}
    assert maxima["annual_purchase_amount"] == "10000000000000.00"


def test_a_reviewers_amount_and_a_window_s_budget_are_read_the_same_way(admin_client, policy):
    from reviews.forms import DecisionForm

    form = DecisionForm(
        {"amount": "1.5E+6", "comment": "", "comment_public": "on"}, transition="district_approve"
    )
    assert not form.is_valid() and "科学计数法" in str(form.errors["amount"])
    window = WindowFactory(measure=Track.objects.get(code="supply-chain").measure)
    url = reverse("admin:measures_applicationwindow_change", args=[window.pk])
    for entry, message in (("5E+7", "科学计数法"), ("100000000000.01", "不能超过1,000亿元")):
        response = admin_client.post(url, {**_window_post(window), "total_budget": entry})
        assert response.status_code == 200 and message in response.content.decode(), entry
    window.refresh_from_db()
    assert window.total_budget == Decimal("50000000")


def _window_post(window: ApplicationWindow) -> dict:
    opens, closes = timezone.localtime(window.opens_at), timezone.localtime(window.closes_at)
    return {
        "measure": window.measure_id,
        "track": window.track_id or "",
        "year": window.year,
        "name": window.name,
        "opens_at_0": opens.date().isoformat(),
        "opens_at_1": opens.time().isoformat(),
        "closes_at_0": closes.date().isoformat(),
        "closes_at_1": closes.time().isoformat(),
        "total_budget": str(window.total_budget),
        "district_review_days": window.district_review_days,
        "municipal_review_days": window.municipal_review_days,
        "processing_days": window.processing_days,
    }


def test_model_validation_holds_services_and_the_admin_to_the_ceilings(policy):
    window = WindowFactory(measure=Track.objects.get(code="supply-chain").measure)
    window.total_budget = AMOUNT_CEILING + 1

    with pytest.raises(ValidationError, match="不能超过1,000亿元"):
        window.full_clean()


# ── every decimal column reads back what it takes ───────────────────────────────────────────


def decimal_columns() -> list[tuple[type[models.Model], models.DecimalField]]:
    """The site's own decimal columns (not those of the libraries it uses)."""
    site = Path(django_settings.BASE_DIR).resolve()
    return [
        (model, field)
        for model in apps.get_models()
        if Path(model._meta.app_config.path).resolve().parent == site
        for field in model._meta.concrete_fields
        if isinstance(field, models.DecimalField)
    ]


def kind(field: ExactDecimalField) -> tuple:
    """What decides what a column reads back: its type, and the values it may hold."""
    return (field.max_digits, field.decimal_places, field.maximum, field.minimum)


def test_every_decimal_column_has_a_ceiling_the_databases_read_back_exactly():
    columns = decimal_columns()

    assert len(columns) >= 20
    for model, field in columns:
        where = f"{model.__name__}.{field.name}"
        assert isinstance(field, ExactDecimalField), where
        assert exact_digits_ok(maximum=field.maximum, decimal_places=field.decimal_places), where
        assert len(str(int(field.maximum))) + field.decimal_places <= field.max_digits, where


@pytest.fixture
def probes(enterprise_user):
    """A row of each kind of decimal column, to write values into and read them back."""
    application = approved_applications(1)[0]
    figure = EnterpriseFigure.objects.create(
        enterprise=enterprise_user.enterprise,
        name="annual_purchase_amount",
        year=2024,
        decimal_value=Decimal(1),
    )
    rows = {
        (Track, "rate"): Track.objects.get(code="supply-chain"),
        (TrackField, "minimum"): TrackField.objects.filter(name="annual_purchase_amount").first(),
        (EligibilityThreshold, "value"): EligibilityThreshold.objects.first(),
        (EnterpriseFigure, "decimal_value"): figure,
        (Application, "calculated_amount"): application,
        (Application, "approved_amount"): application,
        (PublicityEntry, "approved_amount"): PublicityEntry.objects.get(application=application),
    }
    return {
        kind(model._meta.get_field(name)): (model, name, row.pk)
        for (model, name), row in rows.items()
    }


def test_every_kind_of_decimal_column_has_a_probe(probes):
    missing = {
        f"{model.__name__}.{field.name}"
        for model, field in decimal_columns()
        if kind(field) not in probes
    }
    assert not missing


def test_whatever_a_decimal_column_accepts_reads_back_equal(probes):
    for model, name, pk in probes.values():
        check_read_back(model, name, pk)


def check_read_back(model: type[models.Model], name: str, pk) -> None:
    field = model._meta.get_field(name)
    lowest = -field.maximum if field.minimum is None else field.minimum
    step = Decimal(1).scaleb(-field.decimal_places)
    values = st.decimals(
        min_value=lowest, max_value=field.maximum, places=field.decimal_places
    ) | st.sampled_from([lowest, lowest + step, field.maximum, field.maximum - step])

    @settings(max_examples=60, **PROPERTY)
    @given(value=values)
    def check(value):
        note(f"{model.__name__}.{name} = {value}")
        field.run_validators(value)  # what model validation accepts
        model.objects.filter(pk=pk).update(**{name: value})

        assert model.objects.values_list(name, flat=True).get(pk=pk) == value

    check()


# ── nothing a form takes makes a page fail ──────────────────────────────────────────────────

entries = (
    st.decimals(min_value=0, max_value=FIGURE_CEILING * 10, places=2).map(lambda d: format(d, "f"))
    | st.decimals(min_value=0, max_value=FIGURE_CEILING, places=2).map(lambda d: format(d, "f"))
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(
        [
            "99999999999999.99",
            "10000000000000",
            "9999999999999.99",
            "1.23457E+11",
            "12345678901234.56",
            "0.01",
            "-0",
            "１２３",
        ]
    )
)


def test_no_figure_the_file_takes_makes_a_page_fail(client, enterprise_user):
    client.force_login(enterprise_user)

    @settings(max_examples=25, **PROPERTY)
    @given(entry=entries)
    def check(entry):
        note(entry)
        response = client.post(year_url(), {"annual_purchase_amount": entry})

        try:
            meant = parse_number(entry)
        except ValidationError:
            assert response.status_code == 200
            return
        assert response.status_code == 302
        stored = EnterpriseFigure.objects.get(
            enterprise=enterprise_user.enterprise, name="annual_purchase_amount", year=THIS_YEAR
        )
        assert stored.decimal_value == meant
        for page in FILE_PAGES:
            assert client.get(page).status_code == 200, page

    check()


def test_no_figure_an_application_takes_makes_a_page_fail(client, enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    client.force_login(enterprise_user)
    figures_url = reverse("applications:figures", args=[application.pk])
    pages = [figures_url, reverse("applications:detail", args=[application.pk])]

    @settings(max_examples=25, **PROPERTY)
    @given(entry=entries)
    def check(entry):
        note(entry)
        response = client.post(
            figures_url, {"annual_purchase_amount": entry, "new_purchase_amount": "1000"}
        )

        try:
            meant = parse_number(entry)
        except ValidationError:
            assert response.status_code == 200
            return
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.declared_values()["annual_purchase_amount"] == meant
        for page in pages:
            assert client.get(page).status_code == 200, page

    check()
