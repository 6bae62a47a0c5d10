"""Reads of 公示: what to publicise, what is cleared for payment, the public pages."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from applications.models import Application, State
from measures.models import ApplicationWindow, Measure

from .models import Publicity, PublicityEntry, PublicityState

PUBLIC_STATES = (PublicityState.PUBLISHED, PublicityState.CLOSED)


def applications_to_publicise(*, window: ApplicationWindow, measure: Measure) -> QuerySet:
    """The window's approved applications under the measure that no 公示 holds (a line whose
    objection was upheld does not count: the application was reviewed again)."""
    held = PublicityEntry.objects.filter(application=OuterRef("pk"), objection_upheld=False)
    return (
        Application.objects.filter(window=window, track__measure=measure, state=State.APPROVED)
        .exclude(Exists(held))
        .select_related("enterprise", "track__measure")
        .order_by("pk")
    )


def cleared_application_ids(application_ids) -> set[int]:
    """Of ``application_ids``, those a closed 公示 holds without an upheld objection."""
    return set(
        PublicityEntry.objects.filter(
            application_id__in=application_ids,
            objection_upheld=False,
            publicity__state=PublicityState.CLOSED,
        ).values_list("application_id", flat=True)
    )


def public_publicities() -> QuerySet:
    """Published and closed 公示, newest first, with their numbers of lines: one query."""
    return (
        Publicity.objects.filter(state__in=PUBLIC_STATES)
        .annotate(entry_count=Count("entries"))
        .order_by("-published_at", "-pk")
        .only("pk", "title", "state", "published_at", "ends_at", "period_workdays")
    )


def public_publicity(pk: int) -> Publicity | None:
    return (
        Publicity.objects.filter(pk=pk, state__in=PUBLIC_STATES)
        .only(
            "pk",
            "title",
            "state",
            "published_at",
            "ends_at",
            "period_workdays",
            "how_to_object",
        )
        .first()
    )


def public_entries(publicity: Publicity) -> list[PublicityEntry]:
    """What the public sees of each line: names, measure, track, amount; nothing else."""
    return list(
        publicity.entries.only(
            "pk",
            "publicity_id",
            "enterprise_name",
            "measure_label",
            "track_name",
            "approved_amount",
        )
    )
