"""Who may do what with an application, as plain functions of (application, user), asking
about the person and their role only: below the models, whose transitions name these as their
``permission``, and below the selectors. ``applications.permissions`` adds the checks that
need a query of the applications and is what views, the admin and the services import.
"""

from policy_portal import roles


def may_take(transition, user) -> bool:
    """Whether ``user`` holds the permission of a bound transition in the current state.

    django_fsm.has_transition_perm also checks the conditions; this asks about the person only,
    so that someone without the right is refused as such, before any condition is looked at.
    """
    meta = transition._django_fsm
    instance = transition.__self__
    return meta.has_transition_perm(instance, meta.field.get_state(instance), user)


def is_enterprise_member(application, user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.enterprise_id is not None
        and user.enterprise_id == application.enterprise_id
        and roles.user_has_role(user, roles.ENTERPRISE)
    )


def may_use_library(enterprise_id: int, user) -> bool:
    """An enterprise's library (企业材料库, by the enterprise's id) is its members' alone:
    officials see only the copies attached to applications, under the applications' rules."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.enterprise_id is not None
        and user.enterprise_id == enterprise_id
        and roles.user_has_role(user, roles.ENTERPRISE)
    )


def is_district_reviewer_for(application, user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.district
        and user.district == application.district
        and roles.user_has_role(user, roles.DISTRICT_REVIEWER)
    )


def reviewer_division_ids(user) -> set[int]:
    cache = getattr(user, "_division_ids", None)
    if cache is None:
        cache = set(user.divisions.values_list("pk", flat=True))
        user._division_ids = cache
    return cache


def is_municipal_reviewer_for(application, user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and roles.user_has_role(user, roles.MUNICIPAL_REVIEWER)
        and application.track.measure.division_id in reviewer_division_ids(user)
    )


def is_finance(application, user) -> bool:
    return bool(
        user is not None and user.is_authenticated and roles.user_has_role(user, roles.FINANCE)
    )


def may_disburse(application, user) -> bool:
    """Who may move an approved application to disbursed: the person confirming its batch's
    payment; finance staff, and administrators where DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM."""
    from django.conf import settings

    if is_finance(application, user):
        return True
    may_confirm = getattr(settings, "DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM", False)
    return bool(may_confirm) and roles.is_administrator(user)


def is_administrator(application, user) -> bool:
    """Upholding an objection to a 公示 is the administrators' decision."""
    return roles.is_administrator(user)


def is_system(application, user) -> bool:
    """Transitions the scheduler takes on its own (expiry): no person may take them."""
    return user is None
