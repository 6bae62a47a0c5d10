"""Who may do what with an enterprise, as plain functions."""

from .models import Enterprise, User


def can_edit_enterprise_profile(*, user: User, enterprise: Enterprise) -> bool:
    """Only the enterprise's own active users; officials change enterprises in the admin."""
    return bool(
        user.is_authenticated
        and user.is_active
        and enterprise.pk is not None
        and user.enterprise_id == enterprise.pk
    )
