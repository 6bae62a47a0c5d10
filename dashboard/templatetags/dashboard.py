from django import template

from dashboard.permissions import dashboard_scope

register = template.Library()


@register.simple_tag
def may_see_dashboard(user) -> bool:
    """``{% may_see_dashboard user as shown %}``: whether the admin index links the dashboard."""
    return dashboard_scope(user) is not None
