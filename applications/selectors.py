"""Reads for the enterprise portal, with their joins decided here."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from measures.models import ApplicationWindow, TrackField

from .models import Application, State, TransitionLog


def enterprise_applications(*, enterprise) -> QuerySet[Application]:
    """An enterprise's applications; those waiting for it (returned, then drafts) first."""
    return (
        Application.objects.filter(enterprise=enterprise)
        .select_related("track__measure", "window")
        .annotate(
            needs_action=Case(
                When(state=State.RETURNED, then=Value(0)),
                When(state=State.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("needs_action", "-created_at")
    )


def application_for_enterprise_user(*, user, pk: int) -> Application:
    """The application if it belongs to the user's enterprise; 404 for any other id."""
    return get_object_or_404(
        Application.objects.select_related(
            "track__measure", "window", "enterprise"
        ).prefetch_related(
            Prefetch("track__fields", queryset=TrackField.objects.order_by("order", "pk")),
            "track__thresholds",
            "documents",
        ),
        pk=pk,
        enterprise_id=user.enterprise_id,
    )


def application_timeline(*, application: Application, public_only: bool) -> QuerySet[TransitionLog]:
    entries = TransitionLog.objects.filter(application=application).select_related("actor")
    return entries.filter(comment_public=True) if public_only else entries


def open_windows() -> QuerySet[ApplicationWindow]:
    return (
        ApplicationWindow.objects.open_at(timezone.now())
        .filter(measure__kind="funding")
        .select_related("measure", "track")
        .prefetch_related("measure__tracks")
        .order_by("measure__number", "closes_at")
    )
