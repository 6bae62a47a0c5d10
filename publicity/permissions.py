"""Who may do what with a 公示, as plain functions of (publicity, user)."""

from policy_portal import roles


def is_administrator(publicity, user) -> bool:
    return roles.is_administrator(user)


def may_close(publicity, user) -> bool:
    """An administrator, or the scheduler (no person) once the period is over."""
    return user is None or is_administrator(publicity, user)
