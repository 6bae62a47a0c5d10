"""The disbursement batch admin: who sees batches, the list, a new batch and a batch's page.
Its transition pages and the export come from the mixins beside it."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.errors import ApplicationError
from measures.amount_columns import amount_display
from measures.money import format_yuan_exact
from policy_portal.masking import mask_account, report_unmasked
from policy_portal.roles import person_label

from .. import permissions, services
from ..forms import BatchCreateForm
from ..models import BatchState, DisbursementBatch, ExportFormat, LineStatus
from .export import BatchExportView
from .helpers import LINES_PER_PAGE, _batch_url, _NothingAdded, _report_outcomes
from .transitions import BatchTransitionViews


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(BatchTransitionViews, BatchExportView, admin.ModelAdmin):
    list_display = [
        "number",
        "state",
        "source",
        "line_count",
        "total_yuan",
        "prepared_by_name",
        "prepared_at",
        "payment_date",
    ]
    list_filter = [
        "state",
        ("window", admin.RelatedOnlyFieldListFilter),
        ("measure", admin.RelatedOnlyFieldListFilter),
        ("prepared_by", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["window__measure", "measure", "prepared_by"]
    search_fields = ["=number", "=bank_reference"]
    search_help_text = _("按批次编号或银行流水号查找")
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # ── who sees batches: finance and administrators, nobody else ──────────────────────────

    def get_queryset(self, request):
        if not permissions.can_view_batches(request.user):
            return DisbursementBatch.objects.none()
        return super().get_queryset(request)

    def has_module_permission(self, request):
        return permissions.can_view_batches(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_batches(request.user)

    def has_add_permission(self, request):
        return permissions.may_prepare(None, request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # ── columns ────────────────────────────────────────────────────────────────────────────

    @admin.display(description=_("编制依据"))
    def source(self, batch):
        if batch.window_id:
            return f"{batch.window.measure} · {batch.window.name}"
        if batch.measure_id:
            return str(batch.measure)
        return batch.note or "—"

    total_yuan = amount_display("total_amount", _("合计金额"))

    @admin.display(description=_("制单人"), ordering="prepared_by__username")
    def prepared_by_name(self, batch):
        # The column names the role; the name alone keeps the list free of a query per row.
        return batch.prepared_by.display_name if batch.prepared_by else ""

    # ── pages ──────────────────────────────────────────────────────────────────────────────

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/freeze/", view(self.freeze_view), name="disbursements_freeze"),
            path(
                "<path:object_id>/mark-paid/",
                view(self.mark_paid_view),
                name="disbursements_mark_paid",
            ),
            path("<path:object_id>/cancel/", view(self.cancel_view), name="disbursements_cancel"),
            path(
                "<path:object_id>/remove/",
                view(self.remove_view),
                name="disbursements_remove_lines",
            ),
            path(
                "<path:object_id>/export/<str:export_format>/",
                view(self.export_view),
                name="disbursements_export",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request, object_id) -> DisbursementBatch:
        if not permissions.can_view_batches(request.user):
            raise PermissionDenied
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404
        return batch

    def _render(self, request, template, batch, **context):
        return TemplateResponse(
            request,
            f"admin/disbursements/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "batch": batch,
                "batch_url": _batch_url(batch),
                **context,
            },
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BatchCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            outcomes = []
            try:
                with transaction.atomic():
                    batch = services.batch_create(
                        by=request.user,
                        window=data["window"],
                        measure=data["measure"],
                        note=data["note"],
                    )
                    if data["include_payable"]:
                        outcomes = services.batch_add_applications(
                            batch=batch,
                            applications=services.payable_applications(
                                window=batch.window, measure=batch.measure
                            ),
                            by=request.user,
                        )
                        if not any(o.added for o in outcomes):
                            raise _NothingAdded  # no empty batch is left behind
            except _NothingAdded:
                _report_outcomes(self, request, batch, outcomes)
                form.add_error(
                    None,
                    gettext(
                        "所选申报批次或政策条款下没有可拨付的申报（已批准、已完成公示、"
                        "企业已登记银行账号且不在其他拨付批次中），未新建拨付批次。"
                    ),
                )
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                _report_outcomes(self, request, batch, outcomes)
                self.message_user(
                    request, gettext("已新建拨付批次%(number)s。") % {"number": batch.number}
                )
                return HttpResponseRedirect(_batch_url(batch))
        return TemplateResponse(
            request,
            "admin/disbursements/batch_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("新建拨付批次"),
                "form": form,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self._batch(request, object_id)
        user = request.user
        lines = batch.lines.order_by("status", "reference")
        page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
        self._show_accounts(request, batch, page)
        # Only what this person may take on this batch now: no 锁定批次 for an empty batch,
        # nothing on a paid or cancelled one.
        available = {t.name for t in batch.get_available_user_state_transitions(user)}
        actions = [
            (f"disbursements_{name}", services.transition_label(name), css)
            for name, css in (("freeze", "default"), ("mark_paid", "default"), ("cancel", "cancel"))
            if name in available
        ]
        context = {
            "title": gettext("拨付批次 %(number)s") % {"number": batch.number},
            "page": page,
            "actions": actions,
            "can_edit_lines": batch.state == BatchState.DRAFT
            and permissions.may_prepare(batch, user),
            "awaits_second_person": batch.state == BatchState.FROZEN
            and batch.prepared_by_id == user.pk,
            "export_formats": ExportFormat.choices if batch.is_exportable else [],
            "exports": batch.exports.select_related("exported_by").prefetch_related(
                "exported_by__groups"
            ),
            "log": batch.log_entries.select_related("actor").prefetch_related("actor__groups"),
            "failed_count": batch.lines.filter(status=LineStatus.FAILED).count(),
            "total_display": format_yuan_exact(batch.total_amount),
            "prepared_by_name": person_label(batch.prepared_by),
            "paid_confirmed_by_name": person_label(batch.paid_confirmed_by),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return self._render(request, "batch.html", batch, **context)

    def _show_accounts(self, request, batch, page) -> None:
        """Finance checks the payees' accounts whole on the page it pays from, and the audit is
        told; anyone else (an administrator) reads them masked."""
        page.object_list = list(page.object_list)
        whole = permissions.is_finance(request.user)
        for line in page.object_list:
            line.account_shown = line.bank_account if whole else mask_account(line.bank_account)
        if whole and page.object_list:
            report_unmasked(
                sender=__name__,
                user=request.user,
                request=request,
                target=batch,
                batch=batch.number,
                page=page.number,
                lines=len(page.object_list),
            )
