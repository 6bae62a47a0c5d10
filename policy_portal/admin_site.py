"""The officials' admin site: Django's, with its titles, and with what a list is asked for read
first, the same for every model admin, the project's and the libraries' (axes, beat)."""

from datetime import datetime, timedelta

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("重庆市工业经济政策申报平台 · 管理后台")
    site_title = _("政策申报平台")
    index_title = _("工作台")
    # The lists need the width more than a second menu: 工作台 and the breadcrumbs lead everywhere.
    enable_nav_sidebar = False
    # One mark for an empty value on every page, the one the site's own pages write.
    empty_value_display = "—"

    def has_permission(self, request):
        # 身份鉴别: only a session that gave its second factor (django-otp's OTPMiddleware
        # tells, security/gate.py asks for it). The gate stops others first; this holds the
        # admin shut should a request ever pass without the gate.
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and is_verified is not None and is_verified()

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view == model_admin.changelist_view:
            view = _reading_the_request_first(model_admin, view)
        return super().admin_view(view, cacheable)


def _reading_the_request_first(model_admin, changelist_view):
    """Django's list takes the rows an action is posted for, a date drill-down and numbers in
    filters as they come: rows that are not the model's keys, a date out of the calendar or a
    number beyond the database's end in an error while the action or the list runs. Refused
    here, as Django refuses what it does check."""

    def view(request, *args, **kwargs):
        if request.method == "POST" and not _selection_readable(
            model_admin, request.POST.getlist(ACTION_CHECKBOX_NAME)
        ):
            model_admin.message_user(request, _("所选记录无效，未做任何更改。"), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        if not _drill_down_readable(model_admin.date_hierarchy, request.GET):
            # Django's answer to a filter it cannot apply: the list without it, marked.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        try:
            return changelist_view(request, *args, **kwargs)
        except OverflowError:
            # A number in any filter too large for the database's integers (SQLite's driver
            # refuses it this way; PostgreSQL's lookups find nothing): a wrong filter too.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")

    return view


def _selection_readable(model_admin, selected: list[str]) -> bool:
    key = model_admin.model._meta.pk
    try:
        for value in selected:
            key.run_validators(key.to_python(value))
    except ValidationError:
        return False
    return True


def _drill_down_readable(field: str | None, query) -> bool:
    """The drill-down's year, month and day make a day whose next day, month or year (the
    end of the range Django filters by) is still in the calendar."""
    if not field or f"{field}__year" not in query:
        return True
    parts = [query.get(f"{field}__{part}") for part in ("year", "month", "day")]
    try:
        year, month, day = (int(value) if value is not None else 1 for value in parts)
        start = datetime(year, month, day)
        if parts[2] is not None:
            start + timedelta(days=1)
        elif parts[1] is not None:
            start + timedelta(days=32)
        else:
            start.replace(year=year + 1)
    except (ValueError, OverflowError):
        return False
    return True
