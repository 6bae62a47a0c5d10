"""The log in the admin, read-only. The reviewers' application admin lives in ``reviews``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import ReadableAmountsMixin, ReadOnlyAdminMixin, amount_display

from .models import TransitionLog
from .selectors import applications_in_scope


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdminMixin, ReadableAmountsMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "amount_yuan",
    ]
    readable_amounts = {"amount": "amount_exact"}
    list_filter = ["transition", "to_state"]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference"]

    amount_yuan = amount_display("amount", _("金额"))
    amount_exact = amount_display("amount", _("金额"), exact=True)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(application__in=applications_in_scope(user=request.user))
        )
