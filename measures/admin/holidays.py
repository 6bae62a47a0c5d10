"""The holiday calendar in the admin, kept by administrators."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policy_portal import roles

from ..models import CalendarDay

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The State Council's holiday schedule, which every count of working days reads:
    administrators enter each year's once it is published."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
    fields = ("date", "kind", "name")
    list_per_page = 100

    def _is_administrator(self, request) -> bool:
        user = request.user
        return user.is_active and (
            user.is_superuser or roles.user_has_role(user, roles.ADMINISTRATOR)
        )

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    @admin.display(description=_("星期"))
    def weekday(self, day):
        return WEEKDAYS[day.date.weekday()]
