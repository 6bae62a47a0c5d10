"""The log in the admin, read-only. The reviewers' application admin lives in ``reviews``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import LogAdminMixin, ReadOnlyAdminMixin

from .admin_mixins import ApplicationRecordAdminMixin
from .models import ProposalRun, TransitionLog


@admin.register(TransitionLog)
class TransitionLogAdmin(LogAdminMixin, ApplicationRecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "amount_yuan",
    ]
    # The entry's page reads in the order of the log: what, who, which step, then when.
    fields = [
        "application",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "comment",
        "comment_public",
        "amount",
        "created_at",
    ]
    list_filter = ["transition", "to_state"]
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference"]


@admin.register(ProposalRun)
class ProposalRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """免申即享 preparations and their progress; started from the windows' list, or by an import
    of the departments' data."""

    list_display = [
        "window",
        "requested_by",
        "import_batch",
        "requested_at",
        "progress",
        "proposed",
        "finished_at",
    ]
    list_select_related = ["window__measure", "requested_by", "import_batch__source"]
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=_("进度"))
    def progress(self, run):
        if run.finished_at:
            return _("已完成（%(done)s/%(total)s 家企业）") % {
                "done": run.done,
                "total": run.enterprises,
            }
        return _("进行中：%(done)s/%(total)s 家企业") % {"done": run.done, "total": run.enterprises}
