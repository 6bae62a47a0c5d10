"""The notification centre: HTTP only. One set of views for everyone; officials get the admin's
look (they work there, and the header links back to it), enterprise users the portal's."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import inbox, selectors
from .forms import EmailPreferenceForm

PAGE_SIZE = 30


def _render(request, template: str, context: dict):
    if request.user.is_staff:
        context = {**admin.site.each_context(request), **context}
        layout = "notifications/admin_layout.html"
    else:
        layout = "notifications/portal_layout.html"
    return render(request, template, {**context, "layout": layout})


def _back_to_list(request):
    """The list page the form was posted from (its page number only: nothing else is taken
    from the request, so the redirect can never leave the site)."""
    url = reverse("notifications:list")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.user_notifications(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    paths = selectors.application_paths(
        user=request.user, application_ids=[n.application_id for n in page]
    )
    return _render(
        request,
        "notifications/list.html",
        {
            "title": _("我的通知"),
            "page_obj": page,
            # (notification, whether its title links somewhere: its application, or for a
            # window announced, the matching page)
            "items": [
                (
                    n,
                    n.application_id in paths
                    or (n.kind == n.Kind.WINDOW_OPENED and request.user.enterprise_id is not None),
                )
                for n in page
            ],
        },
    )


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the notification read and go to its application.

    A GET, so that the title is an ordinary link (it opens in a new tab, it can be copied).
    It changes only the reader's own read mark, and only from unread to read: the most a
    repeated or forged request can do is show a notification as read. Everything else that
    writes is a POST with CSRF."""
    notification = selectors.notification_for_user(user=request.user, pk=pk)
    inbox.notification_mark_read(notification_id=notification.pk, user=request.user)
    path = selectors.notification_path(user=request.user, notification=notification)
    return redirect(path or "notifications:list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_for_user(user=request.user, pk=pk)
    inbox.notification_mark_read(notification_id=notification.pk, user=request.user)
    return _back_to_list(request)


@login_required
@require_POST
def notification_read_all(request):
    count = inbox.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def email_preference(request):
    user = request.user
    if request.method == "POST":
        form = EmailPreferenceForm(data=request.POST)
        if form.is_valid():
            enabled = form.cleaned_data["email_notifications"]
            inbox.notification_email_preference_set(user=user, enabled=enabled)
            messages.success(
                request,
                _("已开启邮件通知。") if enabled else _("已关闭邮件通知，站内通知照常保留。"),
            )
            return redirect("notifications:settings")
    else:
        form = EmailPreferenceForm(initial={"email_notifications": user.email_notifications})
    return _render(request, "notifications/settings.html", {"title": _("通知设置"), "form": form})
