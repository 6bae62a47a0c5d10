from decimal import Decimal

from django import template

from measures.money import humanize_yuan

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """200万元 / 3亿元 / 1,234.56元."""
    if amount in (None, ""):
        return ""
    return humanize_yuan(Decimal(amount))


@register.filter
def fen(amount) -> str:
    """1,234,567.89: an exact amount in 元 with two decimals, as finance checks it."""
    if amount in (None, ""):
        return ""
    return f"{Decimal(amount):,.2f}"


@register.filter
def percent(rate) -> str:
    if rate in (None, ""):
        return ""
    return f"{(Decimal(rate) * 100).normalize():f}%"
