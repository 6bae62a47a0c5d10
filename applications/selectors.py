"""Reads of applications: the enterprise portal's, and each official's scope."""

from collections import Counter
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from measures.models import ApplicationWindow, Track, TrackField
from policy_portal import roles

from .models import (
    BUDGETED_STATES,
    CLOSED_STATES,
    OTHER_DOCUMENT_KIND,
    Application,
    LibraryDocument,
    State,
    TransitionLog,
    WindowTotals,
)
from .rules import reviewer_division_ids


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
            ),
            # Paid or rejected and not rated yet: the list invites the enterprise to rate
            # (the rating is the ratings app's, one-to-one with the application).
            awaits_rating=Case(
                When(
                    Q(state__in=(State.DISBURSED, State.REJECTED), rating__isnull=True),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("needs_action", "-created_at")
    )


def application_for_enterprise_user(*, user, pk: int) -> Application:
    """The application if it belongs to the user's enterprise; 404 for any other id."""
    return get_object_or_404(
        # The rating (one-to-one, ratings app) in the same query: the page shows it or its form.
        Application.objects.select_related(
            "track__measure", "window", "enterprise", "rating"
        ).prefetch_related(
            Prefetch("track__fields", queryset=TrackField.objects.order_by("order", "pk")),
            "track__thresholds",
            "documents",
        ),
        pk=pk,
        enterprise_id=user.enterprise_id,
    )


def application_timeline(*, application: Application) -> QuerySet[TransitionLog]:
    """Every step; the enterprise's page leaves out the comments marked internal."""
    return TransitionLog.objects.filter(application=application).select_related("actor")


def open_windows(moment=None) -> QuerySet[ApplicationWindow]:
    """The windows open for applications, in the notice's order (so by section too)."""
    return (
        ApplicationWindow.objects.open_at(moment or timezone.now())
        .filter(measure__kind="funding")
        .select_related("measure__section", "track")
        .prefetch_related("measure__tracks")
        .order_by("measure__number", "closes_at")
    )


def recommended_windows(*, industry: str, scale: str, moment=None) -> list[ApplicationWindow]:
    """The open windows of the measures that address an enterprise of ``industry`` and
    ``scale`` (``Measure.fit``): the best fit first, then in the notice's order."""
    fits = [
        (window.measure.fit(industry=industry, scale=scale), window)
        for window in open_windows(moment)
    ]
    return [window for fit, window in sorted(fits, key=lambda pair: -pair[0]) if fit]


def applications_in_scope(*, user) -> QuerySet[Application]:
    """Every application the user may see in the admin; none for anyone without a role there.

    District reviewers: their district's applications once submitted. Municipal reviewers: the
    applications of their divisions' measures that passed district review. Finance: approved
    and disbursed ones. Administrators: all.
    """
    applications = Application.objects.all()
    if not user.is_authenticated or not user.is_active:
        return applications.none()
    if user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR):
        return applications
    scope = Q(pk__in=[])
    if roles.user_has_role(user, roles.DISTRICT_REVIEWER) and user.district:
        scope |= Q(district=user.district, submitted_at__isnull=False)
    if roles.user_has_role(user, roles.MUNICIPAL_REVIEWER):
        divisions = reviewer_division_ids(user)
        if divisions:
            # The tracks are few: naming them spares every count and page a join to measures.
            tracks = list(
                Track.objects.filter(measure__division__in=divisions).values_list("pk", flat=True)
            )
            scope |= Q(track__in=tracks, municipal_review_at__isnull=False)
    if roles.user_has_role(user, roles.FINANCE):
        scope |= Q(state__in=BUDGETED_STATES)
    return applications.filter(scope)


def _sees_all(user) -> bool:
    return user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR)


def states_in_scope(*, user) -> list[State]:
    """The states the applications in ``applications_in_scope`` can be in, in the machine's
    order: all for administrators, none but the enterprises' drafts for reviewers, approved
    and paid for finance."""
    if _sees_all(user):
        return list(State)
    states = set()
    if roles.user_has_role(user, roles.DISTRICT_REVIEWER) or roles.user_has_role(
        user, roles.MUNICIPAL_REVIEWER
    ):
        states |= set(State) - {State.DRAFT}
    if roles.user_has_role(user, roles.FINANCE):
        states |= set(BUDGETED_STATES)
    return [state for state in State if state in states]


def scope_spans_districts(*, user) -> bool:
    """Whether the user's scope holds applications of more than one district: not for a
    district reviewer and nothing else."""
    return _sees_all(user) or any(
        roles.user_has_role(user, role) for role in (roles.MUNICIPAL_REVIEWER, roles.FINANCE)
    )


def work_queue_states(*, user) -> tuple[str, ...]:
    """The states that await this user's action: what the changelist shows by default."""
    states: tuple[str, ...] = ()
    if roles.user_has_role(user, roles.DISTRICT_REVIEWER):
        states += (State.DISTRICT_REVIEW,)
    if roles.user_has_role(user, roles.MUNICIPAL_REVIEWER):
        states += (State.MUNICIPAL_REVIEW,)
    if roles.user_has_role(user, roles.FINANCE):
        states += (State.APPROVED,)
    return states


def window_committed_amount(window: ApplicationWindow) -> Decimal:
    """What is approved or paid against a window's budget, from its maintained totals."""
    totals = (
        WindowTotals.objects.filter(window=window)
        .values_list("approved_amount", "disbursed_amount")
        .first()
    )
    return sum(totals, Decimal("0")) if totals else Decimal("0")


def live_applications_by_window_and_track(*, enterprise, windows) -> dict:
    """{(window id, track id): application} of the enterprise's applications still alive in
    those windows, in one query."""
    return {
        (application.window_id, application.track_id): application
        for application in Application.objects.filter(
            enterprise=enterprise, window_id__in=list(windows)
        ).exclude(state__in=CLOSED_STATES)
    }


# ── the enterprise's library (企业材料库) ────────────────────────────────────────────────────


def library_documents_for(
    *, enterprise, kinds: list[str] | None = None, year: int | None = None
) -> QuerySet[LibraryDocument]:
    """The documents of ``enterprise``'s library, by kind, the latest year first; only those of
    ``kinds`` and of ``year`` when given."""
    documents = LibraryDocument.objects.filter(enterprise=enterprise)
    if kinds is not None:
        documents = documents.filter(kind__in=kinds)
    if year is not None:
        documents = documents.filter(year=year)
    return documents


def library_document_for_enterprise_user(*, user, pk: int) -> LibraryDocument:
    """The library document if it is of the user's enterprise; 404 for any other id."""
    return get_object_or_404(LibraryDocument, pk=pk, enterprise_id=user.enterprise_id)


def library_kinds() -> list[str]:
    """The kinds a library document may be: those the active tracks' document lists name, the
    most asked for first (营业执照, 年度财务报表, …), then 其他材料."""
    lists = Track.objects.filter(is_active=True, measure__kind="funding").values_list(
        "required_documents", flat=True
    )
    counts = Counter(kind for kinds in lists for kind in kinds)
    # most_common keeps the order of first appearance among equal counts: the notice's order.
    kinds = [kind for kind, _count in counts.most_common() if kind != OTHER_DOCUMENT_KIND]
    return [*kinds, OTHER_DOCUMENT_KIND]
