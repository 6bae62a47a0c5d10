"""Every write of policy data gives it a new version (``measures.cache``)."""

from django.db.models.signals import post_delete, post_save

from .models import (
    ApplicationWindow,
    CalendarDay,
    Division,
    EligibilityThreshold,
    Measure,
    PolicyDocument,
    Section,
    Track,
    TrackField,
)
from .services import policy_version_bump
from .workdays import forget_calendar

# Windows too: they decide whether a measure shows as open for applications.
POLICY_MODELS = (
    PolicyDocument,
    Section,
    Division,
    Measure,
    Track,
    TrackField,
    EligibilityThreshold,
    ApplicationWindow,
)


def _policy_data_changed(sender, **kwargs) -> None:
    policy_version_bump()


for model in POLICY_MODELS:
    post_save.connect(
        _policy_data_changed, sender=model, dispatch_uid=f"policy-save-{model._meta.label}"
    )
    post_delete.connect(
        _policy_data_changed, sender=model, dispatch_uid=f"policy-delete-{model._meta.label}"
    )


def _calendar_changed(sender, instance, **kwargs) -> None:
    forget_calendar(years=[instance.date.year])


post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar-save")
post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar-delete")
