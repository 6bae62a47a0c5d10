"""What the portal's pages share: reporting a service's refusal, sending a finished
application's edit pages to its detail, taking uploads, serving files."""

from functools import wraps

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from applications.errors import ApplicationError
from applications.models import State
from applications.uploads import DocumentSizeLimitHandler, oversize_message, shown_name
from policy_portal.signals import security_event


def report_errors(request, error: ApplicationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def returned_payments_of(applications) -> dict:
    """The approved applications whose payment the bank returned (disbursements app)."""
    from disbursements.selectors import returned_payments

    approved = [a.pk for a in applications if a.state == State.APPROVED]
    return returned_payments(approved) if approved else {}


def editable_or_detail(request, application):
    if application.is_editable:
        return None
    messages.warning(
        request, _("申报当前为“%(state)s”，不能修改。") % {"state": application.get_state_display()}
    )
    return redirect("applications:detail", pk=application.pk)


def limited_upload(view):
    """For a view that takes an upload: DOCUMENT_MAX_BYTES is enforced while the body is read
    (the view gets the handler as ``limit``). The limit must be in place before anything reads
    the body, CSRF check included, so the check runs inside rather than in the middleware."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = DocumentSizeLimitHandler(request)
        request.upload_handlers.insert(0, limit)
        return protected(request, *args, limit=limit, **kwargs)

    return wrapper


def upload_ready(request, form, limit: DocumentSizeLimitHandler) -> bool:
    """Whether a posted upload form holds a file to hand to a service; if not, the form says
    why, naming the file refused."""
    if limit.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        refuse_upload(form, limit.refused_name, [oversize_message()])
        return False
    if form.is_valid():
        return True
    if "file" in form.errors and request.FILES.get("file") is not None:
        refuse_upload(form, request.FILES["file"].name, form.errors.pop("file"))
    return False


def refuse_upload(form, name: str, reasons) -> None:
    """Say which file was refused and why: the enterprise may have picked the wrong one."""
    if not name:
        form.add_error("file", list(reasons))
        return
    form.add_error(
        "file",
        [
            _("未能上传“%(name)s”：%(reason)s") % {"name": shown_name(name), "reason": reason}
            for reason in reasons
        ],
    )


def file_response(request, document) -> FileResponse:
    """A stored document as a download, never rendered by the browser, never cached; each
    download is on the audit trail."""
    security_event.send(
        sender=__name__,
        kind="download",
        user=request.user,
        request=request,
        target=document,
        detail={"name": document.original_name, "sha256": document.sha256},
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
