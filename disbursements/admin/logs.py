"""批次办理记录 in the admin, read-only: the auditor (审计管理员) reads every batch's log here
(三员分立), and so may the administrators; finance reads it on the batch's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import StateLogAdmin

from ..models import BatchLog


@admin.register(BatchLog)
class BatchLogAdmin(StateLogAdmin):
    subject = "batch"
    action_field = "action_display"
    search_fields = ["batch__number"]

    @admin.display(description=_("操作"))
    def action_display(self, entry):
        return entry.action_label
