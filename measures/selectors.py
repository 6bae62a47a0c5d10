"""Reads of the notice's data for the catalogue, the calculator and the API."""

from datetime import date, datetime

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import ApplicationWindow, Measure, PolicyVersion, Section, Track, TrackField


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
        Measure.objects.select_related("section__document", "division")
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
    """One measure as ``measure_list`` gives it, with ``upcoming_windows`` too (those not open
    yet, the soonest first) for its guide: the windows open now and those to come are read in
    one query."""
    moment = moment or timezone.now()
    measure = (
        Measure.objects.select_related("section__document", "division")
        .prefetch_related(
            _tracks_prefetch(),
            Prefetch(
                "windows",
                queryset=ApplicationWindow.objects.filter(closes_at__gt=moment)
                .select_related("track")
                .order_by("opens_at", "closes_at", "pk"),
                to_attr="current_windows",
            ),
        )
        .filter(number=number)
        .first()
    )
    if measure is None:
        return None
    windows = measure.current_windows
    measure.open_windows = sorted(
        (w for w in windows if w.opens_at <= moment), key=lambda w: (w.closes_at, w.pk)
    )
    measure.upcoming_windows = [w for w in windows if w.opens_at > moment]
    return measure


def track_choices() -> QuerySet[Track]:
    return (
        Track.objects.filter(is_active=True, measure__kind=Measure.Kind.FUNDING)
        .select_related("measure")
        .order_by("measure__number", "order")
    )


def _with_rule(tracks: QuerySet[Track]) -> QuerySet[Track]:
    """What the calculator reads of a track: its measure, fields and thresholds."""
    return tracks.select_related("measure").prefetch_related(
        Prefetch("fields", queryset=TrackField.objects.order_by("order", "pk")), "thresholds"
    )


def track_for_quote(*, measure_number: int, code: str) -> Track | None:
    return _with_rule(
        Track.objects.filter(measure__number=measure_number, code=code, is_active=True)
    ).first()


def track_for_calculator(*, pk: int) -> Track | None:
    """One of ``track_choices``, with its rule."""
    return _with_rule(track_choices().filter(pk=pk)).first()


def quote_targets() -> dict[int, tuple[bool, list[str]]]:
    """Measure number → (whether it funds applications, the codes of its active tracks)."""
    targets = {
        number: (kind == Measure.Kind.FUNDING, [])
        for number, kind in Measure.objects.values_list("number", "kind")
    }
    tracks = Track.objects.filter(is_active=True).order_by("measure__number", "order", "pk")
    for number, code in tracks.values_list("measure__number", "code"):
        targets[number][1].append(code)
    return targets


def policy_version_token() -> str | None:
    return PolicyVersion.objects.values_list("token", flat=True).first()


def window_changes_around(moment: datetime) -> tuple[datetime | None, datetime | None]:
    """The last moment up to ``moment`` and the first after it when a window opened or closes.

    Between the two, every window is open or closed as it is at ``moment``.
    """
    changes = ApplicationWindow.objects.aggregate(
        last_open=Max("opens_at", filter=Q(opens_at__lte=moment)),
        last_close=Max("closes_at", filter=Q(closes_at__lte=moment)),
        next_open=Min("opens_at", filter=Q(opens_at__gt=moment)),
        next_close=Min("closes_at", filter=Q(closes_at__gt=moment)),
    )
    last = [changes[k] for k in ("last_open", "last_close") if changes[k] is not None]
    upcoming = [changes[k] for k in ("next_open", "next_close") if changes[k] is not None]
    return (max(last) if last else None, min(upcoming) if upcoming else None)


# From this month on, 工作台 warns while next year's holidays are not entered: the State
# Council publishes them in the autumn (late October to November).
CALENDAR_WARNING_MONTH = 11


def calendar_years_missing(*, today: date) -> list[int]:
    """The years whose holidays administrators should enter now: this year, if missing, and
    from November on next year, if missing."""
    from .workdays import year_is_known

    years = [today.year] if not year_is_known(today.year) else []
    if today.month >= CALENDAR_WARNING_MONTH and not year_is_known(today.year + 1):
        years.append(today.year + 1)
    return years


def figure_track_fields() -> dict[str, tuple[TrackField, tuple[int, ...]]]:
    """Every declared-field name of the active tracks of funding measures, in the notice's
    order, with its first track field (several tracks may ask for the same name) and the
    numbers of the measures that ask for it: the figures an enterprise's file holds, whether
    the enterprise or a department gives them. One query.

    Text fields (a product's name and approval number, a recognition document's number, a
    park's name) are not among them: they describe one application, and matching and 免申即享
    proposals never read them."""
    rows = (
        TrackField.objects.filter(track__is_active=True, track__measure__kind=Measure.Kind.FUNDING)
        .exclude(field_type=TrackField.FieldType.TEXT)
        .select_related("track__measure")
        .order_by("track__measure__number", "track__order", "order", "pk")
    )
    first: dict[str, TrackField] = {}
    measures: dict[str, list[int]] = {}
    for track_field in rows:
        first.setdefault(track_field.name, track_field)
        numbers = measures.setdefault(track_field.name, [])
        number = track_field.track.measure.number
        if number not in numbers:
            numbers.append(number)
    return {name: (track_field, tuple(measures[name])) for name, track_field in first.items()}
