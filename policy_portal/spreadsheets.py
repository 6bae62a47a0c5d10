"""Text in the site's CSV files that a spreadsheet would run as a formula.

A CSV has no cell types: a spreadsheet opening one runs a field that starts with =, +, - or @
(perhaps after blanks), or with a tab or CR, as a formula. Such a field leaves with a leading
apostrophe, the OWASP advice for CSV injection. Spreadsheets fold full-width and small forms
(＝, ﹦, ＋) and odd blanks (U+3000, U+2003) into the ASCII ones, so the check reads the NFKC
form of the text; what leaves behind the apostrophe is the text as it was.

An XLSX needs none of this: a cell written as a string (XlsxWriter's ``write_string``) is
never a formula, so a workbook holds every text as it is, a payee's bank name included.
"""

import re
import unicodedata

from django.db.models import Case, CharField, Func, Value, When
from django.db.models.functions import Concat
from django.db.models.lookups import Regex

# Applied to the NFKC form. Written with the characters themselves, so that PostgreSQL's regular
# expressions and Python's read it alike.
FORMULA_START = "^([\t\r]|[ \t]*[=+@-])"
_formula_start = re.compile(FORMULA_START)


def looks_like_formula(text: str) -> bool:
    return _formula_start.match(unicodedata.normalize("NFKC", text)) is not None


def csv_text(text: str | None) -> str | None:
    """A CSV field's text, with an apostrophe before it if it looks like a formula."""
    if text and looks_like_formula(text):
        return "'" + text
    return text


class NFKC(Func):
    """The NFKC form of a text (PostgreSQL 13 and later)."""

    function = "NORMALIZE"
    template = "%(function)s(%(expressions)s, NFKC)"
    output_field = CharField()


def csv_text_sql(text):
    """``csv_text`` as a PostgreSQL expression, for rows the database formats itself (COPY)."""
    return Case(
        When(Regex(NFKC(text), Value(FORMULA_START)), then=Concat(Value("'"), text)),
        default=text,
        output_field=CharField(),
    )
