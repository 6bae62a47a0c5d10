"""公示记录 in the admin, read-only: the auditor (审计管理员) reads every 公示's log here
(三员分立); the administrators read it on the 公示's page."""

from django.contrib import admin

from policy_portal.admin_mixins import LogAdminMixin

from ..models import PublicityLog


@admin.register(PublicityLog)
class PublicityLogAdmin(LogAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "publicity", "actor", "action", "from_state", "to_state"]
    fields = ["publicity", "actor", "action", "from_state", "to_state", "comment", "created_at"]
    list_select_related = ["publicity", "actor"]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = None
