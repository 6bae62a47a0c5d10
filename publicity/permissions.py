"""Who may do what with a 公示, as plain functions of (publicity, user)."""

from policy_portal import roles


def is_administrator(publicity, user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR))
    )


def may_close(publicity, user) -> bool:
    """An administrator, or the scheduler (no person) once the period is over."""
    return user is None or is_administrator(publicity, user)
