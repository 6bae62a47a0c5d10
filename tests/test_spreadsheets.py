"""The formula guard of the site's CSV files, in Python and in PostgreSQL alike."""

import sys
import unicodedata

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Value

from policy_portal.spreadsheets import csv_text, csv_text_sql, looks_like_formula


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1", "＝1", "﹦1", "﹢1", "＠x", "\u3000=1"],
)
def test_text_a_spreadsheet_would_run_leaves_behind_an_apostrophe(text):
    assert looks_like_formula(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["重庆-连字符公司", "6228480000000000005", "a=1", "", None])
def test_other_text_leaves_as_it_is(text):
    assert csv_text(text) == text


# Every character whose compatibility form starts a formula: the ones a spreadsheet may fold.
FORMULA_LOOKALIKES = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if not 0xD800 <= code <= 0xDFFF
    and unicodedata.normalize("NFKC", chr(code))[:1] in {"=", "+", "-", "@"}
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL guard is PostgreSQL's")
@pytest.mark.django_db
def test_postgresql_and_python_guard_the_same_texts():
    texts = [f"{character}1" for character in FORMULA_LOOKALIKES]
    texts += [f" \u3000{character}x" for character in FORMULA_LOOKALIKES]
    texts += ["重庆-公司", "x=1", "\t", "1-2"]
    assert {"﹦1", "＝1", "﹢1", "＠1"} <= set(texts)

    one_row = ContentType.objects.order_by("pk")[:1]
    guarded = [
        one_row.annotate(guarded=csv_text_sql(Value(text))).values_list("guarded", flat=True)[0]
        for text in texts
    ]

    assert guarded == [csv_text(text) for text in texts]
