"""The second factor's card on a person's own page (企业信息): enrolled or not, and the way to
enrol. A template tag, so that the enterprises' page shows it without importing this room."""

from django import template

from security.second_factor import is_enrolled, needs_second_factor

register = template.Library()


@register.inclusion_tag("security/_second_factor_card.html")
def second_factor_card(user) -> dict:
    return {
        "enrolled": is_enrolled(user),
        "required": needs_second_factor(user),
    }
