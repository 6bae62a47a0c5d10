"""The notice, its sections and measures, and each measure's tracks with their rules.

Rules are data: loaded from ``measures/data/policy.toml`` by ``load_policy`` and editable in the
admin. The award calculator (``measures.calculator``) reads them; nothing else encodes a rule.
"""

from .decimals import MONEY, RATE
from .holidays import CalendarDay
from .notice import Division, Measure, PolicyDocument, PolicyVersion, Section
from .tracks import EligibilityThreshold, Track, TrackField
from .windows import ApplicationWindow, ApplicationWindowQuerySet

__all__ = [
    "MONEY",
    "RATE",
    "ApplicationWindow",
    "ApplicationWindowQuerySet",
    "CalendarDay",
    "Division",
    "EligibilityThreshold",
    "Measure",
    "PolicyDocument",
    "PolicyVersion",
    "Section",
    "Track",
    "TrackField",
]
