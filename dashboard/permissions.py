"""Who sees the dashboard, and how much of it.

Administrators see the whole city; so do municipal reviewers and finance, read-only, since the
figures are totals and name no enterprise. A district reviewer sees its own district's slice of
every chart. Enterprises and visitors never reach it (the admin sends them to its login).
"""

from dataclasses import dataclass

from policy_portal import roles


@dataclass(frozen=True)
class Scope:
    """The part of the data a dashboard shows: a district's, or the whole city's (None)."""

    district: str | None = None

    @property
    def key(self) -> str:
        return self.district or "city"


CITY = Scope()
CITYWIDE_ROLES = (roles.ADMINISTRATOR, roles.MUNICIPAL_REVIEWER, roles.FINANCE)


def dashboard_scope(user) -> Scope | None:
    """The scope ``user`` may see, or None for no dashboard at all."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    if user.is_superuser or any(roles.user_has_role(user, role) for role in CITYWIDE_ROLES):
        return CITY
    if roles.user_has_role(user, roles.DISTRICT_REVIEWER) and user.district:
        return Scope(district=user.district)
    return None
