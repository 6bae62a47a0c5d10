"""Finance's workplace: batches built from approved applications, exported, confirmed paid."""

import itertools

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.errors import ApplicationError
from applications.models import Application
from applications.permissions import may_take
from enterprises import roles
from enterprises.roles import person_label
from measures.money import format_yuan_exact
from policy_portal.admin_mixins import amount_display
from reviews.admin import ApplicationAdmin

from .. import permissions, services
from ..errors import BatchUnavailable
from ..exports import CONTENT_TYPES, ExportNotAllowed, batch_export, export_filename
from ..forms import AddToBatchForm, BatchCreateForm, CancelForm, ConfirmForm, MarkPaidForm
from ..models import BatchState, DisbursementBatch, ExportFormat, LineStatus

LINES_PER_PAGE = 100


def _batch_url(batch) -> str:
    return reverse("admin:disbursements_disbursementbatch_change", args=[batch.pk])


def _report_outcomes(modeladmin, request, batch, outcomes) -> None:
    added = [o.reference for o in outcomes if o.added]
    if added:
        modeladmin.message_user(
            request,
            gettext("已加入拨付批次%(number)s %(count)d 件：%(refs)s")
            % {"number": batch.number, "count": len(added), "refs": "、".join(added[:50])},
            messages.SUCCESS,
        )
    for outcome in outcomes:
        if not outcome.added:
            modeladmin.message_user(
                request,
                gettext("%(reference)s 未加入：%(problem)s")
                % {"reference": outcome.reference, "problem": outcome.problem},
                messages.ERROR,
            )


def _already_paid(batch, typed_reference: str) -> str:
    """For whoever confirms a batch someone else confirmed first: who, when, the bank's
    reference on record, and that the one they typed, if other, was not recorded."""
    text = gettext(
        "批次%(number)s已于%(when)s由%(person)s确认拨付，记录的银行流水号为%(reference)s；"
        "您的确认未作任何更改。"
    ) % {
        "number": batch.number,
        "when": services.moment_label(batch.paid_confirmed_at),
        "person": person_label(batch.paid_confirmed_by),
        "reference": batch.bank_reference,
    }
    typed = (typed_reference or "").strip()
    if typed and typed != batch.bank_reference:
        text += gettext("您填写的银行流水号%(typed)s未被记录。") % {"typed": typed}
    return text


SAMPLE_ROWS = 20


class _NothingAdded(Exception):
    pass


def _chosen_token(ids, user) -> str:
    """The applications a person was shown on the confirmation page, for the page to carry
    back: signed, and small however many (sorted ids as their gaps, compressed)."""
    ids = sorted(ids)
    gaps = [b - a for a, b in zip([0, *ids], ids, strict=False)]
    return signing.dumps(gaps, salt=f"add-to-batch:{user.pk}", compress=True)


def _chosen_ids(token: str, user) -> set[int]:
    try:
        gaps = signing.loads(token or "", salt=f"add-to-batch:{user.pk}", max_age=86400)
    except signing.BadSignature:
        return set()
    if not isinstance(gaps, list) or not all(isinstance(gap, int) for gap in gaps):
        return set()
    return set(itertools.accumulate(gaps))


@admin.action(description=_("加入拨付批次"))
def add_to_disbursement_batch(modeladmin, request, queryset):
    """From the approved applications: into a new batch or one's own draft, reported one by
    one. "Select all" carries the list's filters, not thousands of ids, to the next page."""
    if not permissions.may_prepare(None, request.user):
        raise PermissionDenied
    apply = "apply" in request.POST
    form = AddToBatchForm(request.POST if apply else None, user=request.user)
    if apply and form.is_valid():
        # The list's filters choose again now. Whatever was shown and no longer matches (taken
        # into another batch meanwhile, say) is added too, so that each is named with the
        # reason it cannot join rather than silently left out.
        shown = _chosen_ids(request.POST.get("chosen"), request.user)
        lost = shown - set(queryset.values_list("pk", flat=True))
        applications = modeladmin.get_queryset(request).filter(
            Q(pk__in=queryset.values("pk")) | Q(pk__in=lost)
        )
        batch = form.cleaned_data["batch"]
        try:
            with transaction.atomic():
                batch = batch or services.batch_create(
                    by=request.user, note=form.cleaned_data["note"]
                )
                outcomes = services.batch_add_applications(
                    batch=batch, applications=applications, by=request.user
                )
                if form.cleaned_data["batch"] is None and not any(o.added for o in outcomes):
                    raise _NothingAdded  # no empty batch is left behind
        except _NothingAdded:
            _report_outcomes(modeladmin, request, batch, outcomes)
            modeladmin.message_user(
                request, gettext("没有可加入的申报，未新建拨付批次。"), messages.WARNING
            )
            return None
        except (ApplicationError, PermissionDenied) as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        _report_outcomes(modeladmin, request, batch, outcomes)
        return HttpResponseRedirect(_batch_url(batch))
    totals = queryset.aggregate(count=Count("pk"), total=Sum("approved_amount"))
    chosen = list(queryset.values_list("pk", flat=True))
    select_across = request.POST.get("select_across") == "1"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("加入拨付批次"),
        "opts": modeladmin.opts,
        "form": form,
        "count": totals["count"],
        "total": format_yuan_exact(totals["total"] or 0),
        "sample": queryset.select_related("enterprise", "track__measure")[:SAMPLE_ROWS],
        "select_across": select_across,
        "ids": [] if select_across else chosen,
        "chosen": _chosen_token(chosen, request.user),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/disbursements/add_to_batch.html", context)


class InBatchFilter(admin.SimpleListFilter):
    """Finance's question when building a batch: which approved applications are still free."""

    title = _("拨付批次")
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        if not permissions.can_view_batches(request.user):
            return []
        return [("none", _("未加入拨付批次")), ("live", _("已在拨付批次中"))]

    def queryset(self, request, queryset):
        live = {"disbursement_lines__status": LineStatus.IN_BATCH}
        if self.value() == "none":
            return queryset.exclude(**live)
        if self.value() == "live":
            return queryset.filter(**live)
        return queryset


# The officials' application list offers finance this action and filter beside the reviewers'.
ApplicationAdmin.actions = [*ApplicationAdmin.actions, add_to_disbursement_batch]
ApplicationAdmin.list_filter = [*ApplicationAdmin.list_filter, InBatchFilter]
ApplicationAdmin.role_actions = {
    **ApplicationAdmin.role_actions,
    roles.FINANCE: {"add_to_disbursement_batch"},
}


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(admin.ModelAdmin):
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

    def _unavailable(self, request, batch, reason: str, level=messages.WARNING):
        """No form for a transition the batch cannot take now: back to the batch, saying why."""
        self.message_user(request, reason, level)
        return HttpResponseRedirect(_batch_url(batch))

    def _transition_view(
        self,
        request,
        object_id,
        *,
        name,
        form_class,
        refusal,
        run,
        warning="",
        extra=None,
        unavailable=None,
    ):
        """A transition's page. A batch that cannot take it now (its state, or no lines)
        offers no form: back to the batch with the reason. Whoever may not take it gets 403
        with the reason. The service decides the rest, its refusals shown on the form; one
        that finds the batch moved on meanwhile sends back to the batch too.

        ``run`` returns the message and its level; ``unavailable`` words the reason for a
        form posted to a batch that moved on (the person's typed details are named)."""
        extra = extra or {}
        batch = self._batch(request, object_id)
        title = services.transition_label(name)
        page = {
            "title": f"{batch.number} · {title}",
            "action_title": title,
            "total_display": format_yuan_exact(batch.total_amount),
        }
        reason = services.unavailable_reason(batch, name)
        if reason is not None:
            if request.method == "POST" and unavailable is not None:
                return self._unavailable(
                    request, batch, unavailable(batch, request.POST), messages.ERROR
                )
            return self._unavailable(request, batch, reason)
        if not may_take(getattr(batch, name), request.user):
            # Finance and administrators learn why, in words; nothing to fill in.
            response = self._render(
                request, "confirm.html", batch, refusal=refusal(batch, request.user), **page
            )
            response.status_code = 403
            return response
        form = form_class(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                level, message = run(batch, form.cleaned_data)
            except BatchUnavailable as error:
                return self._unavailable(request, batch, str(error.messages[0]), messages.ERROR)
            except ApplicationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            except PermissionDenied as error:
                form.add_error(None, str(error) or gettext("您没有权限办理。"))
            else:
                self.message_user(request, message, level)
                return HttpResponseRedirect(_batch_url(batch))
        return self._render(
            request, "confirm.html", batch, form=form, warning=warning, **page, **extra
        )

    def freeze_view(self, request, object_id):
        def run(batch, data):
            batch = services.batch_freeze(batch=batch, by=request.user)
            return messages.SUCCESS, gettext(
                "批次%(number)s已锁定：%(count)d笔，合计%(total)s。可以导出拨付清单。"
            ) % {
                "number": batch.number,
                "count": batch.line_count,
                "total": format_yuan_exact(batch.total_amount),
            }

        return self._transition_view(
            request,
            object_id,
            name="freeze",
            form_class=ConfirmForm,
            refusal=lambda batch, user: gettext("只有制单人可以锁定本批次。"),
            warning=gettext("锁定后清单不能再增减，开户银行和账号按此刻的企业信息记录。"),
            run=run,
        )

    def mark_paid_view(self, request, object_id):
        def run(batch, data):
            outcome = services.batch_mark_paid(
                batch=batch,
                by=request.user,
                payment_date=data["payment_date"],
                bank_reference=data["bank_reference"],
                failed=data["failed_lines"],
            )
            if not outcome.changed:
                # Confirmed by someone else a moment earlier: who, when, and what was recorded.
                return messages.ERROR, _already_paid(outcome.batch, data["bank_reference"])
            return messages.SUCCESS, gettext(
                "批次%(number)s已确认拨付：%(paid)d笔已拨付，%(failed)d笔银行退回。"
            ) % {
                "number": batch.number,
                "paid": outcome.paid,
                "failed": outcome.failed,
            }

        return self._transition_view(
            request,
            object_id,
            name="mark_paid",
            form_class=MarkPaidForm,
            refusal=lambda batch, user: (
                gettext("制单人不能确认本批次拨付，须由另一名财务人员复核确认。")
                if batch.prepared_by_id == user.pk
                else gettext("您没有权限确认拨付。")
            ),
            warning=gettext(
                "确认后，除银行退回的明细外，批次中的申报全部变为“已拨付”，不能撤销。"
                "请核对银行回单后再确认。"
            ),
            run=run,
            unavailable=lambda batch, posted: (
                _already_paid(batch, posted.get("bank_reference", ""))
                if batch.state == BatchState.PAID
                else services.unavailable_reason(batch, "mark_paid")
            ),
        )

    def cancel_view(self, request, object_id):
        def run(batch, data):
            batch = services.batch_cancel(
                batch=batch,
                by=request.user,
                reason=data["reason"],
                exported_list_unpaid=data["exported_list_unpaid"],
            )
            return messages.SUCCESS, gettext(
                "批次%(number)s已作废，其中的申报可以加入其他批次。"
            ) % {"number": batch.number}

        return self._transition_view(
            request,
            object_id,
            name="cancel",
            form_class=CancelForm,
            refusal=permissions.cancel_refusal,
            extra={"show_exports": True},
            run=run,
        )

    def remove_view(self, request, object_id):
        batch = self._batch(request, object_id)
        if not permissions.may_prepare(batch, request.user):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(_batch_url(batch))
        ids = [
            value for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if value.isdigit()
        ]
        try:
            removed = services.batch_remove_applications(
                batch=batch, applications=Application.objects.filter(pk__in=ids), by=request.user
            )
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            if removed:
                self.message_user(
                    request, gettext("已移出%(count)d笔。") % {"count": removed}, messages.SUCCESS
                )
            else:
                self.message_user(request, gettext("请先勾选要移出的申报。"), messages.WARNING)
        return HttpResponseRedirect(_batch_url(batch))

    def export_view(self, request, object_id, export_format):
        batch = self._batch(request, object_id)
        try:
            blocks = batch_export(batch=batch, export_format=export_format, by=request.user)
        except ExportNotAllowed as error:
            raise Http404 from error
        response = StreamingHttpResponse(blocks, content_type=CONTENT_TYPES[export_format])
        response["Content-Disposition"] = content_disposition_header(
            True, export_filename(batch, export_format)
        )
        return response
