"""Who may do what with an application, as plain functions of (application, user).

The state machine's transitions name these as their ``permission``; views, the admin and the
services all ask the same functions. The ones about the person alone live in
``applications.rules``, below the models; seeing an application asks the selectors.
"""

from .rules import (
    is_administrator,
    is_district_reviewer_for,
    is_enterprise_member,
    is_finance,
    is_municipal_reviewer_for,
    is_system,
    may_disburse,
    may_take,
    may_use_library,
    reviewer_division_ids,
)
from .selectors import applications_in_scope

__all__ = [
    "can_view_application",
    "is_administrator",
    "is_district_reviewer_for",
    "is_enterprise_member",
    "is_finance",
    "is_municipal_reviewer_for",
    "is_system",
    "may_disburse",
    "may_take",
    "may_use_library",
    "reviewer_division_ids",
]


def can_view_application(application, user) -> bool:
    """Who may see an application and its documents: its enterprise, and the officials in
    whose scope it lies (the same scope as their admin list)."""
    if user is None or not user.is_authenticated:
        return False
    if is_enterprise_member(application, user):
        return True
    return applications_in_scope(user=user).filter(pk=application.pk).exists()
