"""The officials' workplace: applications scoped to each reviewer, decisions, budgets.

Importing this package (as the admin's autodiscovery does) registers its model admins once:
``applications`` registers the applications and reviews, ``windows`` the budget windows."""

from .applications import ApplicationAdmin, ReviewAdmin, WorklistChangeList
from .filters import (
    DistrictFilter,
    DueFilter,
    MeasureFilter,
    PaymentLimitFilter,
    StateFilter,
    TrackFilter,
    WindowFilter,
    WindowMeasureFilter,
    WindowSectionFilter,
    WorkQueueFilter,
    filter_by_known,
)
from .windows import BudgetWindowAdmin

__all__ = [
    "ApplicationAdmin",
    "BudgetWindowAdmin",
    "DistrictFilter",
    "DueFilter",
    "MeasureFilter",
    "PaymentLimitFilter",
    "ReviewAdmin",
    "StateFilter",
    "TrackFilter",
    "WindowFilter",
    "WindowMeasureFilter",
    "WindowSectionFilter",
    "WorkQueueFilter",
    "WorklistChangeList",
    "filter_by_known",
]
