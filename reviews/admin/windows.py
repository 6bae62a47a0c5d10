"""Application windows in the admin with their budgets: approved amounts reserved against
the total."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.selectors import window_committed_amount
from measures.admin import ApplicationWindowAdmin, OpenNowFilter
from measures.models import ApplicationWindow
from measures.money import format_budget_left, format_yuan, format_yuan_exact

from .filters import WindowMeasureFilter, WindowSectionFilter

admin.site.unregister(ApplicationWindow)


@admin.register(ApplicationWindow)
class BudgetWindowAdmin(ApplicationWindowAdmin):
    """Windows with their budgets: approved amounts are reserved against the total."""

    list_display = [
        *ApplicationWindowAdmin.list_display,
        "approved_yuan",
        "disbursed_yuan",
        "remaining_yuan",
    ]
    list_filter = [OpenNowFilter, "year", WindowSectionFilter, WindowMeasureFilter]
    show_facets = admin.ShowFacets.NEVER
    actions = ["prepare_proposals"]

    @admin.action(description=_("准备免申即享申报"), permissions=["change"])
    def prepare_proposals(self, request, queryset):
        """For each window, drafts prepared from the enterprises' files, for them to confirm
        (applications.proposals), in the worker; the runs list shows the progress."""
        from applications.tasks import proposal_run_start

        runs = [proposal_run_start(window=window, by=request.user) for window in queryset]
        self.message_user(
            request,
            gettext("已开始为 %(count)s 个批次准备免申即享申报，进度见“免申即享准备”。")
            % {"count": len(runs)},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        # The kept totals, one row per window, joined for the rows shown only: the page's
        # counts and the year filter read the windows alone.
        return super().get_queryset(request).select_related("totals", *self.list_select_related)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class BudgetForm(form):
            def clean_total_budget(self):
                budget = self.cleaned_data["total_budget"]
                if self.instance.pk is not None:
                    committed = window_committed_amount(self.instance)
                    if budget is not None and budget < committed:
                        raise ValidationError(
                            gettext("预算不能低于已批准和已拨付的合计%(amount)s。")
                            % {"amount": format_yuan_exact(committed)}
                        )
                return budget

        return BudgetForm

    @staticmethod
    def _kept(window) -> tuple[Decimal, Decimal]:
        # A window without totals has had nothing approved yet.
        totals = getattr(window, "totals", None)
        if totals is None:
            return Decimal("0"), Decimal("0")
        return totals.approved_amount, totals.disbursed_amount

    @admin.display(description=_("已批准待拨付"), ordering="totals__approved_amount")
    def approved_yuan(self, window):
        return format_yuan(self._kept(window)[0])

    @admin.display(description=_("已拨付"), ordering="totals__disbursed_amount")
    def disbursed_yuan(self, window):
        return format_yuan(self._kept(window)[1])

    @admin.display(description=_("剩余预算"))
    def remaining_yuan(self, window):
        return format_budget_left(window.total_budget - sum(self._kept(window)))
