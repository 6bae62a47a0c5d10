"""What the admins of records about applications share (the transition log here, the reviews in
``reviews``): their amounts read as officials check them, and only the rows of the applications
in the user's scope."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from measures.amount_columns import amount_display
from policy_portal import roles
from policy_portal.admin_mixins import ReadableAmountsMixin

from .selectors import applications_in_scope


class ApplicationRecordAdminMixin(ReadableAmountsMixin):
    """A record with an ``application`` and an ``amount``: the amount in yuan in the list
    (``amount_yuan``) and to the fen on the page; the rows of applications out of the user's
    scope are not there."""

    readable_amounts = {"amount": "amount_exact"}
    show_facets = admin.ShowFacets.NEVER

    amount_yuan = amount_display("amount", _("金额"))
    amount_exact = amount_display("amount", _("金额"), exact=True)

    def get_queryset(self, request):
        records = super().get_queryset(request)
        if roles.user_has_role(request.user, roles.AUDITOR):
            # The auditor (审计管理员) reads every record, and through them no application.
            return records
        return records.filter(application__in=applications_in_scope(user=request.user))
