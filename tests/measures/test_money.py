"""One reading of an amount: measures.money and the ``yuan`` filter built on it, at the edges."""

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError

from measures.money import format_yuan, format_yuan_exact

D = Decimal

READINGS = [
    (D("0"), "0元", "0.00元"),
    (D("0.00"), "0元", "0.00元"),
    (D("0.01"), "0.01元", "0.01元"),
    (D("0.10"), "0.10元", "0.10元"),
    (D("9999.99"), "9,999.99元", "9,999.99元"),
    (D("10000"), "1万元", "1万元（10,000.00元）"),
    (D("2000000.00"), "200万元", "200万元（2,000,000.00元）"),
    (D("99990000"), "9999万元", "9999万元（99,990,000.00元）"),
    (D("100000000"), "1亿元", "1亿元（100,000,000.00元）"),
    (D("150000000"), "1.5亿元", "1.5亿元（150,000,000.00元）"),
    (D("2000000000"), "20亿元", "20亿元（2,000,000,000.00元）"),
    (D("123450000"), "1.2345亿元", "1.2345亿元（123,450,000.00元）"),
    (D("100000000000"), "1,000亿元", "1,000亿元（100,000,000,000.00元）"),
    # 123.45万 is not a whole number of 万: in 元, exactly.
    (D("1234500"), "1,234,500元", "1,234,500.00元"),
    # Never rounded to a shorter reading such as 123.46万元.
    (D("1234567.89"), "1,234,567.89元", "1,234,567.89元"),
    (D("10000.01"), "10,000.01元", "10,000.01元"),
    (D("99999999.99"), "99,999,999.99元", "99,999,999.99元"),
    # Below the fen (never money, but never hidden either).
    (D("0.001"), "0.001元", "0.001元"),
    (D("-0"), "0元", "0.00元"),
]


@pytest.mark.parametrize(("amount", "reading", "exact"), READINGS)
def test_an_amount_reads_in_wan_or_yi_when_whole_and_exactly_otherwise(amount, reading, exact):
    assert format_yuan(amount) == reading
    assert format_yuan_exact(amount) == exact


@pytest.mark.parametrize("amount", [2000000, "2000000", "2000000.00", " 2000000 "])
def test_whole_numbers_and_decimal_text_read_as_the_decimal(amount):
    assert format_yuan(amount) == "200万元"


def test_no_amount_reads_as_nothing():
    assert format_yuan(None) == format_yuan_exact(None) == ""
    assert format_yuan("") == ""


@pytest.mark.parametrize("amount", [D("-0.01"), D("-10000"), "-1", -1])
def test_a_negative_amount_is_refused(amount):
    with pytest.raises(ValueError, match="never negative"):
        format_yuan(amount)
    with pytest.raises(ValueError, match="never negative"):
        format_yuan_exact(amount)


@pytest.mark.parametrize("amount", ["abc", "1,000", "NaN", D("Infinity"), D("sNaN")])
def test_what_is_not_an_amount_is_refused(amount):
    with pytest.raises(ValueError):
        format_yuan(amount)


def test_a_float_is_refused_as_inexact():
    with pytest.raises(TypeError):
        format_yuan(1.5)


def render(text: str, **context) -> str:
    return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(("amount", "reading", "exact"), READINGS)
def test_the_filter_reads_as_the_function(amount, reading, exact):
    assert render("{{ amount|yuan }}", amount=amount) == reading
    assert render('{{ amount|yuan:"exact" }}', amount=amount) == exact


def test_the_filter_shows_no_amount_as_nothing_or_the_default():
    assert render("{{ amount|yuan }}", amount=None) == ""
    assert render('{{ amount|yuan:"exact"|default:"—" }}', amount=None) == "—"
    assert render("{{ amount|yuan }}", amount="") == ""


def test_the_filter_refuses_a_negative_amount():
    with pytest.raises(ValueError):
        render("{{ amount|yuan }}", amount=D("-1"))


def test_the_filter_knows_one_form_besides_the_reading():
    with pytest.raises(TemplateSyntaxError):
        render('{{ amount|yuan:"wan" }}', amount=D("1"))


def test_what_is_left_of_a_budget_reads_as_an_overrun_when_negative():
    from measures.money import format_budget_left

    assert format_budget_left(Decimal("1500000")) == "150万元"
    assert format_budget_left(Decimal("-1234.5")) == "超出预算 1,234.50元"
    assert format_budget_left(Decimal("-20000"), exact=True) == "超出预算 2万元（20,000.00元）"
    assert format_budget_left(None) == ""
