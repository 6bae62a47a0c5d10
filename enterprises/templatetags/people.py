from django import template

from policy_portal.roles import person_label

register = template.Library()


@register.filter
def person(user) -> str:
    """王芳（区县审核员）: a person by name and role; prefetch ``groups`` with a list of them."""
    return person_label(user)
