"""Reads of a user's notifications, and where each one may take its reader."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from applications.models import Application
from applications.selectors import applications_in_scope
from policy_portal import roles
from policy_portal.bulk import among

from .models import Notification


def enterprise_user_ids(*, enterprise_ids=None) -> dict[int, list[int]]:
    """The active enterprise users' ids by enterprise, of ``enterprise_ids`` or of every
    enterprise: whom a notice to an enterprise reaches. One query."""
    users = get_user_model().objects.filter(
        is_active=True, groups__name=roles.ENTERPRISE, enterprise__isnull=False
    )
    wanted = None
    if enterprise_ids is not None:
        wanted = set(enterprise_ids)
        users = users.filter(among("enterprise_id", wanted))
    by_enterprise: dict[int, list[int]] = {}
    for user_id, enterprise_id in users.values_list("pk", "enterprise_id").order_by("pk"):
        if wanted is None or enterprise_id in wanted:
            by_enterprise.setdefault(enterprise_id, []).append(user_id)
    return by_enterprise


def unread_count(*, user) -> int:
    """The user's unread notifications: one query (served by the recipient/read_at index)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def user_notifications(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_for_user(*, user, pk: int) -> Notification:
    """One of the user's own notifications; 404 for anyone else's id, as for an unknown one."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def application_paths(*, user, application_ids) -> dict[int, str]:
    """The page where ``user`` may open each of ``application_ids``: the portal for the users of
    its enterprise, the admin change page for officials whose scope holds it. Applications the
    user may not open are left out, so that no page links to a 404 or a refusal.

    Scope is asked at the time of reading: an official whose district or divisions changed
    since the notification was sent no longer gets a link to what they lost."""
    ids = {pk for pk in application_ids if pk is not None}
    if not ids or not user.is_authenticated or not user.is_active:
        return {}
    if user.enterprise_id is not None and roles.user_has_role(user, roles.ENTERPRISE):
        mine = Application.objects.filter(pk__in=ids, enterprise_id=user.enterprise_id)
        return {
            pk: reverse("applications:detail", args=[pk])
            for pk in mine.values_list("pk", flat=True)
        }
    if user.is_staff:
        visible = applications_in_scope(user=user).filter(pk__in=ids)
        return {
            pk: reverse("admin:applications_application_change", args=[pk])
            for pk in visible.values_list("pk", flat=True)
        }
    return {}


def application_path(*, user, application_id) -> str | None:
    return application_paths(user=user, application_ids=[application_id]).get(application_id)


def notification_path(*, user, notification: Notification) -> str | None:
    """Where a notification takes its reader: its application, or for a window announced to
    an enterprise, the enterprise's 可申报政策 page."""
    if notification.kind == Notification.Kind.WINDOW_OPENED:
        if user.enterprise_id is not None and roles.user_has_role(user, roles.ENTERPRISE):
            return reverse("matches")
        return None
    return application_path(user=user, application_id=notification.application_id)
