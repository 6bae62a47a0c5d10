"""Reads of 公示: what to publicise, what is cleared for payment, the public pages."""

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from applications.models import Application, State
from measures.models import ApplicationWindow, Measure

from .errors import PublicityError
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


def next_publicity_number(*, window: ApplicationWindow | int, measure: Measure | int) -> int:
    """The number (第N期) the next 公示 of ``window`` and ``measure`` (objects or ids) takes."""
    last = (
        Publicity.objects.filter(window=window, measure=measure)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1


def distinct_publicity_title(
    title: str, *, window: ApplicationWindow, measure: Measure, number: int | None = None
) -> str:
    """The title the public list tells apart: the window's and measure's by default; from the
    second 公示 of one window and measure on, one already used gets its number (第N期)."""
    if number is None:
        number = next_publicity_number(window=window, measure=measure)
    title = title.strip() or _("%(window)s %(measure)s拟支持名单公示") % {
        "window": window.name,
        "measure": measure,
    }
    taken = Publicity.objects.filter(title=title).exists()
    if taken and number > 1:
        title = _("%(title)s（第%(number)d期）") % {"title": title, "number": number}
        taken = Publicity.objects.filter(title=title).exists()
    if taken:
        raise PublicityError(_("已有同名公示，请换一个标题。"))
    return title


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
            "objection_upheld",
        )
    )
