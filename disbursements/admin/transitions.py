"""The batch's transition pages (freeze, confirm paid, void) and removing lines from a draft."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.utils.translation import gettext

from applications.errors import ApplicationError
from applications.models import Application
from applications.permissions import may_take
from measures.money import format_yuan_exact

from .. import permissions, services
from ..errors import BatchUnavailable
from ..forms import CancelForm, ConfirmForm, MarkPaidForm
from ..models import BatchState
from .helpers import LINES_PER_PAGE, _already_paid, _batch_url


class BatchTransitionViews:
    """For the batch admin: needs its ``_batch`` and ``_render``."""

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
        form posted to a batch that moved on (the person's typed details are named); ``extra``
        is more for the form's page, or a function of the batch that gives it (called only
        when the form is shown)."""
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
        more = (extra(batch) if callable(extra) else extra) or {}
        return self._render(
            request, "confirm.html", batch, form=form, warning=warning, **page, **more
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
            extra=lambda batch: self._lines_to_confirm(request, batch),
            unavailable=lambda batch, posted: (
                _already_paid(batch, posted.get("bank_reference", ""))
                if batch.state == BatchState.PAID
                else services.unavailable_reason(batch, "mark_paid")
            ),
        )

    def _lines_to_confirm(self, request, batch) -> dict:
        """The lines whoever confirms the payment checks against the bank's receipt, as the
        batch's page lists them (accounts whole for finance, and the audit told)."""
        lines = batch.lines.order_by("status", "reference")
        page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
        self._show_accounts(request, batch, page)
        return {"page": page}

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
