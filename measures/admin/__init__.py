"""The notice's data in the admin: measures, tracks with their rules, application windows and
the holiday calendar. Importing this package registers each model's admin once."""

from .holidays import WEEKDAYS, CalendarDayAdmin
from .measures import (
    DivisionAdmin,
    MeasureAdmin,
    MeasureForm,
    MeasureTrackInline,
    PolicyDocumentAdmin,
    SectionAdmin,
    SectionForm,
    SectionInline,
    SectionMeasureInline,
)
from .tracks import (
    EligibilityThresholdInline,
    LinesField,
    TrackAdmin,
    TrackFieldInline,
    TrackForm,
)
from .windows import ApplicationWindowAdmin, OpenNowFilter

__all__ = [
    "WEEKDAYS",
    "ApplicationWindowAdmin",
    "CalendarDayAdmin",
    "DivisionAdmin",
    "EligibilityThresholdInline",
    "LinesField",
    "MeasureAdmin",
    "MeasureForm",
    "MeasureTrackInline",
    "OpenNowFilter",
    "PolicyDocumentAdmin",
    "SectionAdmin",
    "SectionForm",
    "SectionInline",
    "SectionMeasureInline",
    "TrackAdmin",
    "TrackFieldInline",
    "TrackForm",
]
