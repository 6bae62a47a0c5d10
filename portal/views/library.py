"""The enterprise's library (企业材料库): what it holds, upload, replace, delete, download."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import selectors, services
from applications.errors import ApplicationError
from applications.forms import LibraryReplaceForm, LibraryUploadForm
from applications.uploads import DocumentSizeLimitHandler
from enterprises.access import enterprise_required
from measures.cache import cached

from ._shared import file_response, limited_upload, refuse_upload, report_errors, upload_ready


@limited_upload
@enterprise_required
def library(request, limit: DocumentSizeLimitHandler):
    """The enterprise's library: what it holds, and an upload."""
    enterprise = request.user.enterprise
    # Policy data, the same for every enterprise: read once per version of the data.
    kinds = cached("library-kinds", lambda moment: selectors.library_kinds(), per_language=False)
    form = LibraryUploadForm(kinds=kinds, first_year=services.LIBRARY_FIRST_YEAR)
    if request.method == "POST":
        form = LibraryUploadForm(
            request.POST, request.FILES, kinds=kinds, first_year=services.LIBRARY_FIRST_YEAR
        )
        if upload_ready(request, form, limit):
            upload = form.cleaned_data["file"]
            try:
                document = services.library_document_add(
                    enterprise=enterprise,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    year=form.cleaned_data["year"],
                    upload=upload,
                )
            except ApplicationError as error:
                refuse_upload(form, upload.name, error.messages)
            else:
                messages.success(
                    request, _("已存入材料库：%(kind)s。") % {"kind": document.kind_label}
                )
                return redirect("applications:library")
    documents = list(selectors.library_documents_for(enterprise=enterprise))
    return render(
        request,
        "applications/library.html",
        {
            "documents": documents,
            "form": form,
            "total_size": sum(d.size for d in documents),
            "max_documents": settings.LIBRARY_MAX_DOCUMENTS,
            "max_total_size": settings.LIBRARY_MAX_TOTAL_BYTES,
        },
    )


@limited_upload
@enterprise_required
def library_replace(request, document_pk: int, limit: DocumentSizeLimitHandler):
    """A new file for a library document; applications that attached it keep theirs."""
    document = selectors.library_document_for_enterprise_user(user=request.user, pk=document_pk)
    form = LibraryReplaceForm()
    if request.method == "POST":
        form = LibraryReplaceForm(request.POST, request.FILES)
        if upload_ready(request, form, limit):
            upload = form.cleaned_data["file"]
            try:
                services.library_document_replace(
                    library_document=document, by=request.user, upload=upload
                )
            except ApplicationError as error:
                refuse_upload(form, upload.name, error.messages)
            else:
                messages.success(
                    request,
                    _("已替换“%(kind)s”的文件。已选用它的申报仍使用选用时的版本。")
                    % {"kind": document.kind_label},
                )
                return redirect("applications:library")
    return render(
        request,
        "applications/library_replace.html",
        {"document": document, "form": form, "attached": document.attached_copies.count()},
    )


@enterprise_required
@require_POST
def library_delete(request, document_pk: int):
    document = selectors.library_document_for_enterprise_user(user=request.user, pk=document_pk)
    try:
        services.library_document_remove(library_document=document, by=request.user)
    except ApplicationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("已从材料库删除“%(name)s”。已选用它的申报不受影响。")
            % {"name": document.original_name},
        )
    return redirect("applications:library")


@enterprise_required
def library_download(request, document_pk: int):
    """A library document, to its enterprise only: officials see the copies attached to
    applications, through document_download."""
    document = selectors.library_document_for_enterprise_user(user=request.user, pk=document_pk)
    return file_response(request, document)
