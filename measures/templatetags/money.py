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
def percent(rate) -> str:
    if rate in (None, ""):
        return ""
    return f"{(Decimal(rate) * 100).normalize():f}%"
