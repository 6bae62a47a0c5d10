"""The officials' workplace: applications scoped to each reviewer, decisions, budgets.

Importing this package (as the admin's autodiscovery does) registers its model admins once:
``applications`` registers the applications and reviews, ``windows`` the budget windows. The
list's filters, which other apps' lists use too, are imported from ``filters``."""

from .applications import ApplicationAdmin, ReviewAdmin, WorklistChangeList
from .windows import BudgetWindowAdmin

__all__ = ["ApplicationAdmin", "BudgetWindowAdmin", "ReviewAdmin", "WorklistChangeList"]
