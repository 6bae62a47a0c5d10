"""Amounts are Decimal in 元, never negative, and read one way everywhere (the portal, the admin,
notifications, exports, and static/js/wan.js beside an amount as it is typed):

- a whole number of 万 reads in 万元, from 1亿 on in 亿元: 1万元, 200万元, 1.5亿元, 20亿元;
- any other amount reads exactly, in 元 with thousands separators: 1,234,500元, 9,999.99元,
  0.01元; zero is 0元.

Nothing is ever rounded for reading: 1,234,567.89 is "1,234,567.89元", never "123.46万元", so
what a person reads is the amount itself. Where officials check amounts to the fen, the exact
form adds the amount in 元: 200万元（2,000,000.00元）.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

FEN = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


ROUNDINGS = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN}


def round_to_fen(amount: Decimal, rounding: str = "half_up") -> Decimal:
    return amount.quantize(FEN, rounding=ROUNDINGS[rounding])


def _amount(value) -> Decimal | None:
    """``value`` as a Decimal amount; None for no amount. Refuses what is not an amount: a
    float (binary, not exact), text that is not a number, infinity, and anything negative."""
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise TypeError(f"an amount is a Decimal, not {type(value).__name__}: {value!r}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    if amount < 0:
        raise ValueError(f"an amount is never negative: {value!r}")
    return amount.copy_abs()  # -0 is 0


def _digits(number: Decimal, *, decimals: int) -> str:
    """``number`` with thousands separators and at least ``decimals`` decimals; more where it
    has them, so nothing is rounded away."""
    exponent = number.normalize().as_tuple().exponent
    shown = max(decimals, -exponent) if isinstance(exponent, int) and exponent < 0 else decimals
    return f"{number:,.{shown}f}"


def format_number(value) -> str:
    """A figure that is not an amount (a count, a share), exactly, with thousands separators:
    1,500, 12.5, 0.25; "" for None. Never in exponent notation (Decimal("1E+3") is 1,000)."""
    if value is None or value == "":
        return ""
    if isinstance(value, float | bool):
        raise TypeError(f"a figure is a Decimal, not {type(value).__name__}: {value!r}")
    number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError(f"not a figure: {value!r}")
    sign = "-" if number < 0 else ""
    return f"{sign}{_digits(abs(number), decimals=0)}"


def _in_wan(amount: Decimal) -> bool:
    return amount != 0 and amount % WAN == 0


def format_yuan(value) -> str:
    """The reading of an amount in 元: 200万元, 1.5亿元, 1,234,567.89元, 0元; "" for None."""
    amount = _amount(value)
    if amount is None:
        return ""
    if _in_wan(amount):
        if amount >= YI:
            return f"{_digits(amount.scaleb(-8), decimals=0)}亿元"
        # At most 9999万: written as one number, without a separator.
        return f"{amount.scaleb(-4):.0f}万元"
    whole = amount == amount.to_integral_value()
    return f"{_digits(amount, decimals=0 if whole else 2)}元"


def format_yuan_exact(value) -> str:
    """The reading with the amount to the fen, for officials checking it:
    200万元（2,000,000.00元）; an amount that reads exactly already, to the fen: 1,234,567.89元,
    1,234,500.00元; "" for None."""
    amount = _amount(value)
    if amount is None:
        return ""
    exact = f"{_digits(amount, decimals=2)}元"
    if _in_wan(amount):
        return f"{format_yuan(amount)}（{exact}）"
    return exact


def format_budget_left(value, *, exact: bool = False) -> str:
    """What is left of a budget, which data written past the services (a budget lowered in the
    database, an import) may have overrun: then 超出预算 and by how much, never an error on the
    page that should show it."""
    if value is None or value == "":
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    reading = format_yuan_exact if exact else format_yuan
    if amount < 0:
        return str(_("超出预算 %(amount)s") % {"amount": reading(-amount)})
    return reading(amount)
