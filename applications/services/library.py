"""The enterprise's library (企业材料库).

Documents of the enterprise itself, uploaded once and checked as application uploads are.
Attaching one copies its file into the application: replacing or deleting the library's
document later never changes an application, submitted or not."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise

from .. import permissions
from ..errors import ApplicationError
from ..models import (
    OTHER_DOCUMENT_KIND,
    Application,
    ApplicationDocument,
    LibraryDocument,
)
from ..uploads import validate_upload
from ._base import _locked, _require_editable, _require_member, logger
from .documents import (
    _application_kinds,
    _check_application_caps,
    _discarding,
    _require_room,
    _save_upload,
    _sha256,
    _store_file,
)


def _require_library_owner(enterprise_id: int, by) -> None:
    if not permissions.may_use_library(enterprise_id, by):
        raise PermissionDenied(_("只有本企业的用户可以使用本企业的材料库。"))


def _check_library_kind_and_year(kind: str, year: int | None) -> None:
    from ..selectors import library_kinds

    if kind not in library_kinds():
        raise ApplicationError(_("材料类型“%(kind)s”不能存入材料库。") % {"kind": kind})
    if year is not None and not LIBRARY_FIRST_YEAR <= year <= timezone.localdate().year:
        raise ApplicationError(
            _("年度须在%(first)d年至%(last)d年之间。")
            % {"first": LIBRARY_FIRST_YEAR, "last": timezone.localdate().year}
        )


# The earliest year a library document may be of (年度财务报表 and the like).
LIBRARY_FIRST_YEAR = 2000


def _check_library_caps(enterprise, *, size: int, replacing: LibraryDocument | None = None):
    """Room in the enterprise's library for a document of ``size`` bytes, in place of
    ``replacing`` when given. The caller holds the enterprise's row locked."""
    documents = LibraryDocument.objects.filter(enterprise=enterprise)
    if replacing is not None:
        documents = documents.exclude(pk=replacing.pk)
    _require_room(
        documents.aggregate(count=Count("pk"), size=Sum("size")),
        size,
        count=settings.LIBRARY_MAX_DOCUMENTS if replacing is None else None,
        total=settings.LIBRARY_MAX_TOTAL_BYTES,
        messages=(
            _("材料库最多存放%(count)d份材料，请删除不需要的材料后再上传。"),
            _("材料库中的材料合计不能超过%(mb)d MB。"),
        ),
    )


def _locked_library(enterprise_id: int, by) -> Enterprise:
    """The enterprise whose library ``by`` may use, its row locked: its library's uploads are
    taken one at a time, so that two at once cannot both pass the caps."""
    _require_library_owner(enterprise_id, by)
    return Enterprise.objects.select_for_update().get(pk=enterprise_id)


@_discarding(LibraryDocument)
@transaction.atomic
def library_document_add(
    *, enterprise, by, kind: str, upload, year: int | None = None, written: list[str]
) -> LibraryDocument:
    """Store an uploaded document in ``enterprise``'s library, checked as an application's
    uploads are (type by content, structure, size, name), within the library's caps."""
    enterprise = _locked_library(enterprise.pk, by)
    _check_library_kind_and_year(kind, year)
    checked = validate_upload(upload)
    _check_library_caps(enterprise, size=checked.size)
    document = LibraryDocument(enterprise=enterprise, kind=kind, year=year)
    return _save_upload(document, upload, checked, by=by, written=written)


@_discarding(LibraryDocument)
@transaction.atomic
def library_document_replace(
    *, library_document: LibraryDocument, by, upload, written: list[str]
) -> LibraryDocument:
    """Put a new file in place of a library document's, its kind and year kept. The copies
    already attached to applications keep the file they were given."""
    enterprise = _locked_library(library_document.enterprise_id, by)
    document = _locked_library_document(library_document)
    checked = validate_upload(upload)
    _check_library_caps(enterprise, size=checked.size, replacing=document)
    previous = document.file.name
    document.uploaded_at = timezone.now()
    _save_upload(document, upload, checked, by=by, written=written)
    storage = document.file.storage
    transaction.on_commit(lambda: storage.delete(previous))
    return document


def _locked_library_document(library_document: LibraryDocument) -> LibraryDocument:
    document = LibraryDocument.objects.select_for_update().filter(pk=library_document.pk).first()
    if document is None:
        raise ApplicationError(_("材料库中已没有这份材料，可能已被删除。"))
    return document


@transaction.atomic
def library_document_remove(*, library_document: LibraryDocument, by) -> None:
    """Delete a library document and its file. Applications that attached it keep their copy
    (its link to the library is cleared; that it came from there stays)."""
    _require_library_owner(library_document.enterprise_id, by)
    document = _locked_library_document(library_document)
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@_discarding(ApplicationDocument)
@transaction.atomic
def library_document_attach(
    *,
    application: Application,
    library_document: LibraryDocument,
    by,
    kind: str | None = None,
    written: list[str],
) -> ApplicationDocument:
    """Attach a document of the enterprise's library to ``application``: a new document of the
    application with its own copy of the file (the same SHA-256) and a link back to the
    library's, so that whatever later happens in the library, the application keeps what was
    attached. ``kind`` defaults to the library document's kind where the track's list has it,
    else 其他材料. As for an upload: only while the application is editable, within its caps.

    All or nothing: a copy that fails to be written or recorded leaves no file behind."""
    application = _locked(application)
    _require_member(application, by)
    _require_editable(application)
    # A replacement of the library's document waits for this copy, or this copy for it.
    source = _locked_library_document(library_document)
    if source.enterprise_id != application.enterprise_id:
        raise PermissionDenied(_("只能选用本企业材料库中的材料。"))
    kinds = _application_kinds(application)
    if kind is None:
        kind = source.kind if source.kind in kinds else OTHER_DOCUMENT_KIND
    if kind not in kinds:
        raise ApplicationError(_("材料类型“%(kind)s”不在本类别的材料清单中。") % {"kind": kind})
    if application.documents.filter(library_document=source, sha256=source.sha256).exists():
        raise ApplicationError(
            _("“%(name)s”已选用，无需重复选用。") % {"name": source.original_name}
        )
    _check_application_caps(application, source.size)
    try:
        content = source.file.open("rb")
    except OSError as error:
        logger.error("library document %s has no file: %s", source.pk, error)
        raise ApplicationError(_("材料库中的这份文件已无法读取，请重新上传后再选用。")) from error
    with content:
        # The copy must be what the library recorded: a file changed on disk is not attached.
        if _sha256(content) != source.sha256:
            logger.error("library document %s does not match its SHA-256", source.pk)
            raise ApplicationError(_("材料库中的这份文件已无法读取，请重新上传后再选用。"))
        document = ApplicationDocument(
            application=application,
            kind=kind,
            original_name=source.original_name,
            content_type=source.content_type,
            size=source.size,
            sha256=source.sha256,
            uploaded_by=by,
            library_document=source,
            library_uploaded_at=source.uploaded_at,
        )
        _store_file(document, content, original_name=source.original_name, written=written)
    document.save()
    return document
