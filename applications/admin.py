"""The log in the admin, read-only. The reviewers' application admin lives in ``reviews``."""

from django.contrib import admin

from policy_portal.admin_mixins import ReadOnlyAdminMixin

from .models import TransitionLog
from .selectors import applications_in_scope


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "amount",
    ]
    list_filter = ["transition", "to_state"]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(application__in=applications_in_scope(user=request.user))
        )
