"""公示记录 in the admin, read-only: the auditor (审计管理员) reads every 公示's log here
(三员分立); the administrators read it on the 公示's page."""

from django.contrib import admin

from policy_portal.admin_mixins import StateLogAdmin

from ..models import PublicityLog


@admin.register(PublicityLog)
class PublicityLogAdmin(StateLogAdmin):
    subject = "publicity"
    list_filter = ["action"]
