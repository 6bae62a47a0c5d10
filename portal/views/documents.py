"""An application's documents: upload, choose from the library, delete, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import selectors, services
from applications.errors import ApplicationError
from applications.forms import DocumentUploadForm, LibraryAttachForm
from applications.models import OTHER_DOCUMENT_KIND, ApplicationDocument
from applications.permissions import can_view_application
from applications.uploads import DocumentSizeLimitHandler
from enterprises.access import enterprise_required

from ._shared import (
    editable_or_detail,
    file_response,
    limited_upload,
    refuse_upload,
    report_errors,
    upload_ready,
)


@limited_upload
@enterprise_required
def documents(request, pk: int, limit: DocumentSizeLimitHandler):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := editable_or_detail(request, application)) is not None:
        return response
    kinds = [*application.track.required_documents, OTHER_DOCUMENT_KIND]
    # The type offered is the first required one still missing, so uploading the documents in
    # turn never means choosing the type again; once none is missing, 其他材料.
    missing = application.missing_documents()
    form = DocumentUploadForm(
        kinds=kinds, initial={"kind": missing[0] if missing else OTHER_DOCUMENT_KIND}
    )
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES, kinds=kinds)
        if upload_ready(request, form, limit):
            upload = form.cleaned_data["file"]
            try:
                services.document_add(
                    application=application,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=upload,
                )
            except ApplicationError as error:
                refuse_upload(form, upload.name, error.messages)
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("applications:documents", pk=application.pk)
    uploaded = list(application.documents.all())
    checklist = [
        (kind, [d for d in uploaded if d.kind == kind])
        for kind in application.track.required_documents
    ]
    others = [d for d in uploaded if d.kind not in application.track.required_documents]
    return render(
        request,
        "applications/documents.html",
        {
            "application": application,
            "form": form,
            "checklist": checklist,
            "others": others,
            "library": _library_choices(application, uploaded, kinds),
            "kinds": kinds,
            "step": "documents",
        },
    )


def _library_choices(application, uploaded, kinds) -> list[tuple]:
    """The enterprise's library documents as the documents page offers them: (document, the
    kind preselected, whether this version is attached already). Those the track's list asks
    for come first, in its order; a kind it does not list is offered as 其他材料."""
    required = application.track.required_documents
    attached = {(d.library_document_id, d.sha256) for d in uploaded if d.library_document_id}
    documents = sorted(
        selectors.library_documents_for(enterprise=application.enterprise),
        key=lambda d: required.index(d.kind) if d.kind in required else len(required),
    )
    return [
        (
            document,
            document.kind if document.kind in kinds else OTHER_DOCUMENT_KIND,
            (document.pk, document.sha256) in attached,
        )
        for document in documents
    ]


@enterprise_required
@require_POST
def document_delete(request, pk: int, document_pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    try:
        services.document_remove(document=document, by=request.user)
    except ApplicationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("已删除材料“%(name)s”。") % {"name": document.original_name})
    return redirect("applications:documents", pk=application.pk)


@enterprise_required
@require_POST
def document_attach(request, pk: int):
    """从材料库选用: a library document copied into the application, as the kind chosen."""
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := editable_or_detail(request, application)) is not None:
        return response
    form = LibraryAttachForm(
        request.POST, kinds=[*application.track.required_documents, OTHER_DOCUMENT_KIND]
    )
    if not form.is_valid():
        messages.error(request, _("请选择要选用的材料和材料类型。"))
        return redirect("applications:documents", pk=application.pk)
    library_document = selectors.library_document_for_enterprise_user(
        user=request.user, pk=form.cleaned_data["library_document"]
    )
    try:
        document = services.library_document_attach(
            application=application,
            library_document=library_document,
            by=request.user,
            kind=form.cleaned_data["kind"],
        )
    except ApplicationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("已从材料库选用“%(name)s”，作为“%(kind)s”。")
            % {"name": document.original_name, "kind": document.kind},
        )
    return redirect("applications:documents", pk=application.pk)


@login_required
def document_download(request, document_pk: int):
    """Documents are served only here, to those who may see the application."""
    document = get_object_or_404(
        ApplicationDocument.objects.select_related("application__track__measure"), pk=document_pk
    )
    if not can_view_application(document.application, request.user):
        raise Http404
    return file_response(request, document)
