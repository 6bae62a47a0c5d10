"""Reads of the notice's data for the catalogue, the calculator and the API."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import ApplicationWindow, Measure, Section, Track, TrackField


def _tracks_prefetch() -> Prefetch:
    return Prefetch(
        "tracks",
        queryset=Track.objects.filter(is_active=True).prefetch_related(
            Prefetch("fields", queryset=TrackField.objects.order_by("order", "pk")),
            "thresholds",
        ),
    )


def _open_windows_prefetch(moment) -> Prefetch:
    return Prefetch(
        "windows",
        queryset=ApplicationWindow.objects.open_at(moment)
        .select_related("track")
        .order_by("closes_at"),
        to_attr="open_windows",
    )


def measure_list(*, moment=None) -> QuerySet[Measure]:
    """Every measure with its active tracks, fields, thresholds and the windows open now."""
    moment = moment or timezone.now()
    return (
        Measure.objects.select_related("section", "division")
        .prefetch_related(_tracks_prefetch(), _open_windows_prefetch(moment))
        .order_by("number")
    )


def sections_with_measures(*, moment=None) -> list[Section]:
    measures = list(measure_list(moment=moment))
    sections: dict[int, Section] = {}
    for measure in measures:
        section = sections.setdefault(measure.section_id, measure.section)
        section.__dict__.setdefault("measure_list", []).append(measure)
    return sorted(sections.values(), key=lambda s: s.number)


def measure_get(*, number: int, moment=None) -> Measure | None:
    return measure_list(moment=moment).filter(number=number).first()


def track_choices() -> QuerySet[Track]:
    return (
        Track.objects.filter(is_active=True, measure__kind=Measure.Kind.FUNDING)
        .select_related("measure")
        .order_by("measure__number", "order")
    )


def track_for_quote(*, measure_number: int, code: str) -> Track | None:
    return (
        Track.objects.filter(measure__number=measure_number, code=code, is_active=True)
        .select_related("measure")
        .prefetch_related(
            Prefetch("fields", queryset=TrackField.objects.order_by("order", "pk")), "thresholds"
        )
        .first()
    )
