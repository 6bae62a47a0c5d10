"""The documents an enterprise uploads to an application, and the storing of uploaded files that
the enterprise's library shares."""

import errno
import functools
import hashlib

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ..errors import ApplicationError
from ..models import (
    OTHER_DOCUMENT_KIND,
    Application,
    ApplicationDocument,
)
from ..uploads import validate_upload
from ._base import _locked, _require_editable, _require_member, logger


def _discarding(model):
    """For a write that stores files: it takes ``written``, the names ``_store_file`` noted,
    and is called without it. If it fails, whatever it wrote that no row of ``model`` refers to
    is removed: a file and its row exist together or not at all, whatever fails after writing
    began (the disk filling up halfway, the insert, the commit)."""

    def decorate(write):
        @functools.wraps(write)
        def call(**kwargs):
            written: list[str] = []
            try:
                return write(written=written, **kwargs)
            except BaseException:
                for name in written:
                    _discard_unrecorded(name, model)
                raise

        return call

    return decorate


def _discard_unrecorded(name: str, model) -> None:
    """Delete a stored file no row of ``model`` refers to. A failed commit may still have
    committed; when the database cannot say, the file stays for documents_sweep_orphans to
    decide."""
    try:
        recorded = model.objects.filter(file=name).exists()
    except DatabaseError:
        logger.warning("upload %s kept for the orphan sweep: the database did not answer", name)
        return
    if not recorded:
        model._meta.get_field("file").storage.delete(name)


# The storage is out of space: the upload cannot be kept, through no fault of the enterprise.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _store_file(document, content, *, original_name: str, written: list[str]) -> None:
    """Write ``content`` under a new random name for ``document`` (its model's ``upload_to``)
    and point the row at it; the name is noted in ``written`` before the first byte is
    written, so whatever is found under it was written here, a partial file included."""
    field = type(document)._meta.get_field("file")
    name = field.generate_filename(document, original_name)
    written.append(name)
    try:
        stored_name = field.storage.save(name, content, max_length=field.max_length)
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        logger.error("%s not stored, the disk is full: %s", name, error)
        raise ApplicationError(
            _("服务器存储空间不足，文件未能保存。请稍后重新上传；如多次出现，请联系经信部门。")
        ) from error
    written[-1] = stored_name
    document.file = stored_name


def _save_upload(document, upload, checked, *, by, written: list[str]):
    """Fill ``document`` in from ``upload`` as ``validate_upload`` checked it (its safe name,
    type and size), with its SHA-256 and who uploaded it, store the file and save the row."""
    document.original_name = checked.safe_name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = _sha256(upload)
    document.uploaded_by = by
    _store_file(document, upload, original_name=checked.safe_name, written=written)
    document.save()
    return document


def _sha256(content) -> str:
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def _require_room(stored, size: int, *, count: int | None, total: int, messages) -> None:
    """Room for one more document of ``size`` bytes beside ``stored`` (the ``count`` and ``size``
    of what is kept): at most ``count`` documents (None: a replacement, no more of them) and
    ``total`` bytes. ``messages``: the refusals, with ``%(count)d`` and ``%(mb)d``."""
    too_many, too_large = messages
    if count is not None and stored["count"] >= count:
        raise ApplicationError(too_many % {"count": count})
    if (stored["size"] or 0) + size > total:
        raise ApplicationError(too_large % {"mb": total // (1024 * 1024)})


def _check_application_caps(application: Application, size: int) -> None:
    """Room for one more document of ``size`` bytes in the application."""
    _require_room(
        application.documents.aggregate(count=Count("pk"), size=Sum("size")),
        size,
        count=settings.DOCUMENTS_MAX_PER_APPLICATION,
        total=settings.DOCUMENTS_MAX_TOTAL_BYTES,
        messages=(
            _("每份申报最多上传%(count)d份材料，请删除不需要的材料后再上传。"),
            _("每份申报的材料合计不能超过%(mb)d MB。"),
        ),
    )


def _application_kinds(application: Application) -> list[str]:
    return [*application.track.required_documents, OTHER_DOCUMENT_KIND]


@_discarding(ApplicationDocument)
@transaction.atomic
def document_add(
    *, application: Application, by, kind: str, upload, written: list[str]
) -> ApplicationDocument:
    """Store an uploaded document after checking its type by content, its size and its name;
    all or nothing (``_discarding``)."""
    application = _locked(application)
    _require_member(application, by)
    _require_editable(application)
    if kind not in _application_kinds(application):
        raise ApplicationError(_("材料类型“%(kind)s”不在本类别的材料清单中。") % {"kind": kind})
    checked = validate_upload(upload)
    _check_application_caps(application, checked.size)
    document = ApplicationDocument(application=application, kind=kind)
    return _save_upload(document, upload, checked, by=by, written=written)


@transaction.atomic
def document_remove(*, document: ApplicationDocument, by) -> None:
    application = _locked(document.application)
    _require_member(application, by)
    _require_editable(application)
    document.application = application
    if document.was_seen_by_reviewers():
        # What the reviewers saw stays on the record; a correction is a new upload.
        raise ApplicationError(_("已提交审核的材料不能删除，如需更正请上传新的材料。"))
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
