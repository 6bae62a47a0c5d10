from django import template
from django.utils.timezone import localdate

from policy_portal import roles

from ..selectors import calendar_years_missing

register = template.Library()


@register.simple_tag
def holidays_missing(user) -> list[int]:
    """``{% holidays_missing user as years %}``: for an administrator, the years whose holiday
    schedule should be entered now (工作台 warns of them); for anyone else, none."""
    if not (user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR)):
        return []
    return calendar_years_missing(today=localdate())
