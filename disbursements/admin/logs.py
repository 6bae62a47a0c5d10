"""批次办理记录 in the admin, read-only: the auditor (审计管理员) reads every batch's log here
(三员分立), and so may the administrators; finance reads it on the batch's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import LogAdminMixin

from ..models import BatchLog


@admin.register(BatchLog)
class BatchLogAdmin(LogAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "batch", "actor", "action_display", "from_state", "to_state"]
    fields = ["batch", "actor", "action_display", "from_state", "to_state", "comment", "created_at"]
    list_select_related = ["batch", "actor"]
    search_fields = ["batch__number"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = None

    @admin.display(description=_("操作"))
    def action_display(self, entry):
        return entry.action_label
