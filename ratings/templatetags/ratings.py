from django import template

from ratings.forms import RatingForm
from ratings.selectors import is_rateable, rating_for

register = template.Library()


@register.inclusion_tag("ratings/_rating.html")
def rating_card(application) -> dict:
    """Paid or rejected: the enterprise's rating of the application, or the form inviting it."""
    return {
        "application": application,
        "rating": rating_for(application),
        "rating_form": RatingForm() if is_rateable(application) else None,
    }
