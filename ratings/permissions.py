"""Who may rate an application and who reads the ratings, as plain functions."""

from applications.permissions import is_enterprise_member
from policy_portal import roles


def may_rate(application, user) -> bool:
    """The enterprise's own users rate its applications, nobody else."""
    return is_enterprise_member(application, user)


def may_read_ratings(user) -> bool:
    """Ratings are the administrators' reading of the service: not the reviewers' (they are
    what is rated), nor finance's."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR))
    )
