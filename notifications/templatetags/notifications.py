"""The unread count shown in the header of the portal and of the admin."""

from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """``{% unread_notifications as count %}``: the signed-in user's unread notifications, in
    one query; 0, without a query, for a visitor. A tag rather than a context processor, so that
    only the pages showing the count pay for it."""
    # The request's user: a page's own context may name someone else "user".
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)
