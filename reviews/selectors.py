"""Which applications each official works on, and the budget of each window."""

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import Application, State
from applications.permissions import reviewer_division_ids
from enterprises import roles
from measures.models import ApplicationWindow, Track

FINANCE_STATES = (State.APPROVED, State.DISBURSED)


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
        scope |= Q(state__in=FINANCE_STATES)
    return applications.filter(scope)


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


def _sum_of(state_filter: Q):
    return Coalesce(
        Sum("applications__approved_amount", filter=state_filter),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def windows_with_budget() -> QuerySet[ApplicationWindow]:
    """Windows with what is approved (not yet paid), paid, and what remains of the budget."""
    return ApplicationWindow.objects.annotate(
        approved_total=_sum_of(Q(applications__state=State.APPROVED)),
        disbursed_total=_sum_of(Q(applications__state=State.DISBURSED)),
    )
