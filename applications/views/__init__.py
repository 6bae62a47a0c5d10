"""The enterprise portal: HTTP only — parse, call a selector or a service, render."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from enterprises import roles
from measures.cache import cached
from measures.forms import declared_form_class
from measures.models import ApplicationWindow, Track
from measures.views import CSRF_TOKEN_HOLE

from . import proposals, selectors, services
from .errors import ApplicationError
from .forms import (
    CommentForm,
    DocumentUploadForm,
    LibraryAttachForm,
    LibraryReplaceForm,
    LibraryUploadForm,
)
from .models import OTHER_DOCUMENT_KIND, ApplicationDocument, State
from .permissions import can_view_application
from .uploads import DocumentSizeLimitHandler, oversize_message, shown_name


def enterprise_required(view):
    """Signed-in users of an enterprise only; officials are sent to their admin."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.enterprise_id is None or not roles.user_has_role(user, roles.ENTERPRISE):
            if user.is_staff:
                return redirect("admin:index")
            raise Http404(_("只有企业用户可以使用申报功能。"))
        return view(request, *args, **kwargs)

    return wrapper


def _report(request, error: ApplicationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# What the list of an enterprise's applications shows of each.
HOME_COLUMNS = (
    "reference",
    "state",
    "disbursed_on",
    "approved_amount",
    "recommended_amount",
    "calculated_amount",
    "created_at",
    "proposed_at",
    "track__name",
    "track__measure__number",
    "track__measure__title",
    "window__closes_at",
)


def _returned_payments(applications) -> dict:
    """The approved applications whose payment the bank returned (disbursements app)."""
    from disbursements.selectors import returned_payments

    approved = [a.pk for a in applications if a.state == State.APPROVED]
    return returned_payments(approved) if approved else {}


@enterprise_required
def home(request):
    applications = list(
        selectors.enterprise_applications(enterprise=request.user.enterprise).only(*HOME_COLUMNS)
    )
    returned = _returned_payments(applications)
    for application in applications:
        application.payment_returned = returned.get(application.pk)
    return render(
        request,
        "applications/home.html",
        {
            "applications": applications,
            "needs_action": [a for a in applications if a.state == State.RETURNED],
            # The bank returned the money: the account must be corrected before it is paid again.
            "payments_returned": [
                a for a in applications if a.payment_returned and not a.payment_returned.corrected
            ],
        },
    )


class ApplyForm(forms.Form):
    """The window and the track a new draft is started in; anything else is refused."""

    window = forms.ModelChoiceField(queryset=ApplicationWindow.objects.all())
    track = forms.ModelChoiceField(queryset=Track.objects.select_related("measure"))


@enterprise_required
def apply(request):
    """Choose a measure with an open window and a track; POST starts the draft."""
    if request.method == "POST":
        choice = ApplyForm(request.POST)
        if not choice.is_valid():
            messages.error(request, _("请选择申报批次和申报类别。"))
            return redirect("applications:apply")
        window = choice.cleaned_data["window"]
        track = choice.cleaned_data["track"]
        try:
            application = services.application_create(
                enterprise=request.user.enterprise, track=track, window=window, by=request.user
            )
        except ApplicationError as error:
            _report(request, error)
            return redirect("applications:apply")
        messages.success(
            request,
            _("已创建申报草稿，尚未提交。申报编号在首次提交时生成；提交前可以随时修改或撤回。"),
        )
        return redirect("applications:figures", pk=application.pk)
    # The open windows are policy data, the same for every enterprise: rendered once per
    # version of the data and language, until a window opens or closes, with a hole for the
    # request's CSRF token. What is suggested first depends on the enterprise's industry and
    # scale alone, so it is rendered once per such pair, never for one enterprise.
    enterprise = request.user.enterprise
    industry, scale = enterprise.industry, enterprise.scale
    section_links, windows = cached(
        "portal-open-windows-by-section",
        lambda moment: _open_windows_html(selectors.open_windows(moment)),
        timed=True,
    )
    recommended = cached(
        f"portal-recommended:{industry}:{scale}",
        lambda moment: render_to_string(
            "applications/_recommended.html",
            {
                "windows": selectors.recommended_windows(
                    industry=industry, scale=scale, moment=moment
                ),
                "industry": enterprise.get_industry_display(),
                "scale": enterprise.get_scale_display(),
                "csrf_token": CSRF_TOKEN_HOLE,
            },
        ),
        timed=True,
    )
    token = get_token(request)
    return render(
        request,
        "applications/apply.html",
        {
            "section_links": mark_safe(section_links),  # noqa: S308
            "recommended": mark_safe(recommended.replace(CSRF_TOKEN_HOLE, token)),  # noqa: S308
            "open_windows": mark_safe(windows.replace(CSRF_TOKEN_HOLE, token)),  # noqa: S308
        },
    )


def _open_windows_html(windows) -> tuple[str, str]:
    """The links to each section with an open window, and the windows by section."""
    windows = list(windows)
    return (
        render_to_string("applications/_section_links.html", {"windows": windows}),
        render_to_string(
            "applications/_open_windows.html",
            {"windows": windows, "csrf_token": CSRF_TOKEN_HOLE},
        ),
    )


def _editable_or_detail(request, application):
    if application.is_editable:
        return None
    messages.warning(
        request, _("申报当前为“%(state)s”，不能修改。") % {"state": application.get_state_display()}
    )
    return redirect("applications:detail", pk=application.pk)


@enterprise_required
def figures(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := _editable_or_detail(request, application)) is not None:
        return response
    form_class = declared_form_class(application.track)
    if request.method == "POST":
        form = form_class(data=request.POST)
        if form.is_valid():
            try:
                services.application_update_declared(
                    application=application, by=request.user, declared=form.declared()
                )
            except ApplicationError as error:
                _report(request, error)
            else:
                messages.success(request, _("申报数据已保存。"))
                return redirect("applications:documents", pk=application.pk)
    else:
        form = form_class(initial=application.declared)
    return render(
        request,
        "applications/figures.html",
        {"application": application, "form": form, "step": "figures"},
    )


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


def _upload_ready(request, form, limit: DocumentSizeLimitHandler) -> bool:
    """Whether a posted upload form holds a file to hand to a service; if not, the form says
    why, naming the file refused."""
    if limit.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        _refuse_upload(form, limit.refused_name, [oversize_message()])
        return False
    if form.is_valid():
        return True
    if "file" in form.errors and request.FILES.get("file") is not None:
        _refuse_upload(form, request.FILES["file"].name, form.errors.pop("file"))
    return False


def _refuse_upload(form, name: str, reasons) -> None:
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


@limited_upload
@enterprise_required
def documents(request, pk: int, limit: DocumentSizeLimitHandler):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := _editable_or_detail(request, application)) is not None:
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
        if _upload_ready(request, form, limit):
            upload = form.cleaned_data["file"]
            try:
                services.document_add(
                    application=application,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=upload,
                )
            except ApplicationError as error:
                _refuse_upload(form, upload.name, error.messages)
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
        _report(request, error)
    else:
        messages.success(request, _("已删除材料“%(name)s”。") % {"name": document.original_name})
    return redirect("applications:documents", pk=application.pk)


@enterprise_required
def review(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := _editable_or_detail(request, application)) is not None:
        return response
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "quote": application.quote(),
            "problems": application.submission_problems(
                require_open_window=application.state == State.DRAFT
            ),
            "figures": _figures(application),
            "comment_form": CommentForm(),
            "step": "review",
        },
    )


def _figures(application) -> list[tuple]:
    return [
        (field, application.declared.get(field.name)) for field in application.track.fields.all()
    ]


@enterprise_required
def detail(request, pk: int):
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "figures": _figures(application),
            "timeline": selectors.application_timeline(application=application),
            "payment_limit": application.payment_limit(),
            "payment_returned": _returned_payments([application]).get(application.pk),
            **_rating_context(application),
        },
    )


def _rating_context(application) -> dict:
    """Paid or rejected: the enterprise's rating, or the form inviting it (ratings app)."""
    from ratings.forms import RatingForm
    from ratings.selectors import is_rateable, rating_for

    return {
        "rating": rating_for(application),
        "rating_form": RatingForm() if is_rateable(application) else None,
    }


def _transition_view(service, success_message):
    @enterprise_required
    @require_POST
    def view(request, pk: int):
        application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
        form = CommentForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            service(application=application, by=request.user, comment=comment)
        except ApplicationError as error:
            _report(request, error)
            target = "applications:review" if application.is_editable else "applications:detail"
            return redirect(target, pk=application.pk)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("applications:detail", pk=application.pk)
        messages.success(request, success_message())
        return redirect("applications:detail", pk=application.pk)

    return view


submit = _transition_view(services.application_submit, lambda: _("申报已提交，等待区县审核。"))
resubmit = _transition_view(
    services.application_resubmit, lambda: _("申报已重新提交，等待区县审核。")
)
withdraw = _transition_view(services.application_withdraw, lambda: _("申报已撤回。"))
# 免申即享: the enterprise confirms, in one click, the draft the site prepared from its file.
confirm = _transition_view(
    lambda *, application, by, comment: proposals.proposal_confirm(application=application, by=by),
    lambda: _("已确认申报，等待区县审核。"),
)


@login_required
def document_download(request, document_pk: int):
    """Documents are served only here, to those who may see the application."""
    document = get_object_or_404(
        ApplicationDocument.objects.select_related("application__track__measure"), pk=document_pk
    )
    if not can_view_application(document.application, request.user):
        raise Http404
    return _file_response(document)


def _file_response(document) -> FileResponse:
    """A stored document as a download, never rendered by the browser, never cached."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@enterprise_required
@require_POST
def document_attach(request, pk: int):
    """从材料库选用: a library document copied into the application, as the kind chosen."""
    application = selectors.application_for_enterprise_user(user=request.user, pk=pk)
    if (response := _editable_or_detail(request, application)) is not None:
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
        _report(request, error)
    else:
        messages.success(
            request,
            _("已从材料库选用“%(name)s”，作为“%(kind)s”。")
            % {"name": document.original_name, "kind": document.kind},
        )
    return redirect("applications:documents", pk=application.pk)


# ── the enterprise's library (企业材料库) ────────────────────────────────────────────────────


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
        if _upload_ready(request, form, limit):
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
                _refuse_upload(form, upload.name, error.messages)
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
        if _upload_ready(request, form, limit):
            upload = form.cleaned_data["file"]
            try:
                services.library_document_replace(
                    library_document=document, by=request.user, upload=upload
                )
            except ApplicationError as error:
                _refuse_upload(form, upload.name, error.messages)
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
        _report(request, error)
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
    return _file_response(document)
