from decimal import Decimal

from django import template

from measures.money import format_budget_left, format_number, format_yuan, format_yuan_exact

register = template.Library()


@register.filter
def yuan(amount, form: str = "") -> str:
    """``{{ amount|yuan }}``: 200万元, 1.5亿元, 1,234.56元 (measures.money.format_yuan);
    ``{{ amount|yuan:"exact" }}``: 200万元（2,000,000.00元）, for officials checking amounts."""
    if form == "exact":
        return format_yuan_exact(amount)
    if form:
        raise template.TemplateSyntaxError(f'yuan takes "exact" or nothing, not {form!r}')
    return format_yuan(amount)


@register.filter
def number(figure) -> str:
    """``{{ figure|number }}``: a figure that is not an amount, exactly: 1,500, 12.5; what is
    stored as it is when it is no number (a field that was text when it was declared)."""
    try:
        return format_number(figure)
    except (ArithmeticError, TypeError, ValueError):
        return str(figure)


@register.filter
def budget_left(amount, form: str = "") -> str:
    """``{{ remaining|budget_left:"exact" }}``: as ``yuan``, or 超出预算 … when overrun."""
    return format_budget_left(amount, exact=form == "exact")


@register.filter
def percent(rate) -> str:
    if rate in (None, ""):
        return ""
    return f"{(Decimal(rate) * 100).normalize():f}%"
