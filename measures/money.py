"""Amounts are Decimal in 元; people read them in 万元 and 亿元."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


ROUNDINGS = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN}


def round_to_fen(amount: Decimal, rounding: str = "half_up") -> Decimal:
    return amount.quantize(FEN, rounding=ROUNDINGS[rounding])


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def humanize_yuan(amount: Decimal | None) -> str:
    """3亿元, 200万元, 1,234.56元: the largest unit that shows the amount exactly."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount and amount % YI == 0:
        return f"{_plain(amount / YI)}亿元"
    if amount and (amount % WAN == 0 or abs(amount) >= WAN and (amount * 100) % WAN == 0):
        return f"{_plain(amount / WAN)}万元"
    return f"{amount.quantize(FEN):,}元"


def yuan_and_wan(amount: Decimal | None) -> str:
    """1,234,567.89元（123.456789万元）: the exact amount as finance reads and checks it."""
    if amount is None:
        return ""
    amount = Decimal(amount).quantize(FEN)
    return f"{amount:,}元（{_plain(amount / WAN)}万元）"
