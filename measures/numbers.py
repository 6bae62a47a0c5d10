"""One reading of every figure that enters the site: typed into a form, sent to the API, handed to
a service. What is read is the number a person wrote, and only that:

- digits, at most one decimal point with digits after it, a leading minus where the figure may be
  negative; spaces around it are dropped, and full-width digits (１２３．４５, what a Chinese input
  method types) read as the digits they are;
- never exponent notation ("1.23457E+11", what Excel shows in a narrow cell: the digits hidden
  behind it are lost), digit separators ("1,000", "1_000"), NaN or infinity, a plus sign, or
  digits of another script;
- at most the decimal places the figure has (2 for an amount in 元: to the fen);
- at most the figure's ceiling: a plausibility limit ("10万亿元" for an enterprise's yearly
  figure), which also keeps every value within what each database reads back exactly.

A value that is already a number (a Decimal or an int handed to a service) skips the reading of
text but meets the same limits; a float is refused, as it is not exact.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import format_number, format_yuan

# What SQLite keeps of a decimal: it stores a REAL, and Django reads 15 significant digits back
# (Context(prec=15)). A value within 15 digits reads back exactly there, as it does on PostgreSQL.
EXACT_DIGITS = 15

# 10万亿元: more than any enterprise's yearly revenue, investment or purchases, and the most an
# amount with its fen keeps within EXACT_DIGITS (13 + 2 digits; 10万亿元 itself is one digit).
FIGURE_CEILING = Decimal(10) ** 13
# 1000亿元 for what the city budgets, decides and pays (a window's budget, an amount a reviewer
# recommends or approves, a line paid): more than its whole yearly special funds; the notice's
# caps are far lower.
AMOUNT_CEILING = Decimal(10) ** 11

NUMBER = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
EXPONENT = re.compile(r"[0-9.][eE][-+]?[0-9]")

MESSAGES = {
    "invalid": _("请输入一个数字，不要使用千位分隔符。"),
    "exponent": _(
        "请输入完整的数字，不要使用科学计数法（如 1.23457E+11，表格列宽不足时会这样显示）。"
    ),
    "integer": _("请输入一个整数，不要使用千位分隔符。"),
    "decimal_places": _("小数点后最多%(places)s位。"),
    "fen": _("金额最多精确到分（小数点后2位）。"),
    "max_value": _("不能超过%(maximum)s，请核对金额单位（元）和位数。"),
    "max_value_number": _("不能超过%(maximum)s，请核对位数。"),
    "min_value": _("不能小于%(minimum)s。"),
}


def exact_digits_ok(*, maximum: Decimal, decimal_places: int) -> bool:
    """Whether every value up to ``maximum`` with ``decimal_places`` reads back exactly."""
    whole_digits = len(str(int(maximum.to_integral_value())).lstrip("0") or "0")
    largest_below = whole_digits - (1 if maximum == Decimal(10) ** (whole_digits - 1) else 0)
    return largest_below + decimal_places <= EXACT_DIGITS


def _error(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def _text_of(value, *, decimal_places: int, maximum: Decimal, money: bool) -> str:
    """The entry as text to read; a number handed over as one, written out in full."""
    if isinstance(value, bool | float):
        # A float is not exact, and a bool is not a number (True would read as 1).
        raise _error("invalid")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _error("invalid")
        if value.is_zero():
            return "0"
        # Refused before it is written out: format(…, "f") of 1E+999999999 or of 1E-999999999
        # would be a billion digits.
        if abs(value) > maximum:
            raise _above(maximum, money=money)
        if value.adjusted() < -decimal_places:
            raise _too_many_places(decimal_places, money=money)
        return format(value, "f")
    return str(value)


def _above(maximum: Decimal, *, money: bool) -> ValidationError:
    if money:
        return _error("max_value", maximum=format_yuan(maximum))
    return _error("max_value_number", maximum=format_number(maximum))


def _too_many_places(decimal_places: int, *, money: bool) -> ValidationError:
    if decimal_places == 0:
        return _error("integer")
    if money and decimal_places == 2:
        return _error("fen")
    return _error("decimal_places", places=decimal_places)


def parse_number(
    value,
    *,
    decimal_places: int = 2,
    maximum: Decimal = FIGURE_CEILING,
    minimum: Decimal | None = Decimal(0),
    money: bool = True,
) -> Decimal | None:
    """The figure ``value`` says, as a Decimal; None for nothing (None, "", spaces).

    Raises ValidationError, in Chinese, for anything else than plain digits (see the module's
    docstring), for more than ``decimal_places`` decimals, below ``minimum`` (None: no minimum)
    or above ``maximum`` in absolute value. ``money``: the limits read as amounts (10万亿元)."""
    if value is None:
        return None
    text = _text_of(value, decimal_places=decimal_places, maximum=maximum, money=money)
    text = text.strip().translate(FULL_WIDTH)
    if not text:
        return None
    match = NUMBER.fullmatch(text)
    if match is None:
        if EXPONENT.search(text):
            raise _error("exponent")
        raise _error("integer" if decimal_places == 0 else "invalid")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if len(fraction.rstrip("0")) > decimal_places:
        raise _too_many_places(decimal_places, money=money)
    # Too many digits to be within the ceiling: refused before a Decimal is made of them.
    if len(whole.lstrip("0")) > len(str(int(maximum))):
        raise _above(maximum, money=money)
    fraction = fraction[:decimal_places]
    number = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    if abs(number) > maximum:
        raise _above(maximum, money=money)
    if number.is_zero():
        number = number.copy_abs()  # -0 is 0
    if minimum is not None and number < minimum:
        reading = format_yuan if money else format_number
        shown = reading(minimum) if minimum >= 0 else f"-{reading(-minimum)}"
        raise _error("min_value", minimum=shown)
    return number
