"""Every write to an application. Each transition: lock the row, check the permission and the
conditions, transition, save, log, and queue the notifications for after the commit."""

import errno
import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from enterprises.models import Enterprise
from measures.forms import declared_form_class, serialize_declared
from measures.models import MONEY, ApplicationWindow, Track
from measures.money import format_yuan
from measures.numbers import AMOUNT_CEILING, parse_number

from .. import permissions
from ..errors import ApplicationError
from ..models import (
    BUDGETED_STATES,
    CLOSED_STATES,
    OTHER_DOCUMENT_KIND,
    UNPAID_STATES,
    Application,
    ApplicationDocument,
    LibraryDocument,
    OutboxEvent,
    ReferenceCounter,
    State,
    TransitionLog,
    WindowTotals,
    transition_label,
)
from ..selectors import window_committed_amount
from ..signals import events_recorded, transition_taken
from ..uploads import validate_upload

logger = logging.getLogger(__name__)

ZERO = Decimal("0")

# ── creating and editing drafts ────────────────────────────────────────────────────────────


def _next_reference(*, measure_number: int, year: int) -> str:
    """The next reference of a measure and year; the caller's transaction holds the counter
    locked until it ends, so a rollback gives the number back and two submissions never share
    one."""
    ReferenceCounter.objects.get_or_create(measure_number=measure_number, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(
        measure_number=measure_number, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CQJX-{year}-{measure_number:02d}-{counter.last:06d}"


def _require_member(application: Application, by) -> None:
    if not permissions.is_enterprise_member(application, by):
        raise PermissionDenied(_("只有本企业的用户可以办理。"))


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ApplicationError(
            _("申报当前为“%(state)s”，不能修改。") % {"state": application.get_state_display()}
        )


@transaction.atomic
def application_create(*, enterprise, track: Track, window: ApplicationWindow, by) -> Application:
    """Start a draft for ``track`` in ``window``; one live application per track and window."""
    if by.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只有本企业的用户可以办理。"))
    if not window.covers(track):
        raise ApplicationError(_("该批次不受理这个申报类别。"))
    if not window.is_open():
        raise ApplicationError(_("申报批次“%(window)s”不在申报期内。") % {"window": window.name})
    if not track.is_active or not track.measure.is_funding:
        raise ApplicationError(_("该申报类别已停止受理。"))
    if (
        Application.objects.filter(enterprise=enterprise, track=track, window=window)
        .exclude(state__in=CLOSED_STATES)
        .exists()
    ):
        raise ApplicationError(_("本企业在该批次已有该类别的申报，请勿重复申报。"))
    # No reference yet: it is given at the first submission, so abandoned drafts use none.
    application = Application(
        enterprise=enterprise,
        district=enterprise.district,
        track=track,
        window=window,
        created_by=by,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise ApplicationError(_("本企业在该批次已有该类别的申报，请勿重复申报。")) from exc
    return application


@transaction.atomic
def application_update_declared(*, application: Application, by, declared: dict) -> Application:
    """Save the declared figures (already cleaned by the track's form) and recompute the amount."""
    application = _locked(application)
    _require_member(application, by)
    _require_editable(application)
    form_class = declared_form_class(application.track)
    unknown = set(declared) - set(form_class.base_fields)
    if unknown:
        raise ApplicationError(
            _("未知的申报字段：%(names)s。") % {"names": "、".join(sorted(unknown))}
        )
    # The same checks as the form, whoever calls: types, required fields, minimums, decimals,
    # ceilings. Values go in as they are: a Decimal is read as the number it is, text as text.
    form = form_class(
        data={name: "" if value is None else value for name, value in declared.items()}
    )
    if not form.is_valid():
        raise ApplicationError(
            *(
                f"{form.fields[name].label}：{message}" if name in form.fields else message
                for name, messages in form.errors.items()
                for message in messages
            )
        )
    application.declared = serialize_declared(form.declared())
    application.calculated_amount = application.quote().amount
    application.save(update_fields=["declared", "calculated_amount", "updated_at"])
    return application


# ── documents ──────────────────────────────────────────────────────────────────────────────


def document_add(*, application: Application, by, kind: str, upload) -> ApplicationDocument:
    """Store an uploaded document after checking its type by content, its size and its name.

    A file and its row exist together or not at all: whatever fails after writing began (the
    disk filling up halfway, the insert, the commit) removes what was written.
    """
    return _discarding(
        ApplicationDocument,
        _document_add,
        application=application,
        by=by,
        kind=kind,
        upload=upload,
    )


def _discarding(model, call, **kwargs):
    """``call(written=…, **kwargs)``; if it fails, whatever it wrote that no row of ``model``
    refers to is removed."""
    written: list[str] = []
    try:
        return call(written=written, **kwargs)
    except BaseException:
        for name in written:
            _discard_unrecorded(name, model)
        raise


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


def _sha256(content) -> str:
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def _check_application_caps(application: Application, size: int) -> None:
    """Room for one more document of ``size`` bytes in the application."""
    stored = application.documents.aggregate(count=Count("pk"), size=Sum("size"))
    if stored["count"] >= settings.DOCUMENTS_MAX_PER_APPLICATION:
        raise ApplicationError(
            _("每份申报最多上传%(count)d份材料，请删除不需要的材料后再上传。")
            % {"count": settings.DOCUMENTS_MAX_PER_APPLICATION}
        )
    if (stored["size"] or 0) + size > settings.DOCUMENTS_MAX_TOTAL_BYTES:
        raise ApplicationError(
            _("每份申报的材料合计不能超过%(mb)d MB。")
            % {"mb": settings.DOCUMENTS_MAX_TOTAL_BYTES // (1024 * 1024)}
        )


def _application_kinds(application: Application) -> list[str]:
    return [*application.track.required_documents, OTHER_DOCUMENT_KIND]


@transaction.atomic
def _document_add(
    *, application: Application, by, kind: str, upload, written: list[str]
) -> ApplicationDocument:
    application = _locked(application)
    _require_member(application, by)
    _require_editable(application)
    if kind not in _application_kinds(application):
        raise ApplicationError(_("材料类型“%(kind)s”不在本类别的材料清单中。") % {"kind": kind})
    checked = validate_upload(upload)
    _check_application_caps(application, checked.size)
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=_sha256(upload),
        uploaded_by=by,
    )
    _store_file(document, upload, original_name=checked.safe_name, written=written)
    document.save()
    return document


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


# ── the enterprise's library (企业材料库) ────────────────────────────────────────────────────
#
# Documents of the enterprise itself, uploaded once and checked as application uploads are.
# Attaching one copies its file into the application: replacing or deleting the library's
# document later never changes an application, submitted or not.


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
    stored = documents.aggregate(count=Count("pk"), size=Sum("size"))
    if replacing is None and stored["count"] >= settings.LIBRARY_MAX_DOCUMENTS:
        raise ApplicationError(
            _("材料库最多存放%(count)d份材料，请删除不需要的材料后再上传。")
            % {"count": settings.LIBRARY_MAX_DOCUMENTS}
        )
    if (stored["size"] or 0) + size > settings.LIBRARY_MAX_TOTAL_BYTES:
        raise ApplicationError(
            _("材料库中的材料合计不能超过%(mb)d MB。")
            % {"mb": settings.LIBRARY_MAX_TOTAL_BYTES // (1024 * 1024)}
        )


def _lock_enterprise(enterprise_id: int) -> Enterprise:
    """The enterprise's row, locked: its library's uploads are taken one at a time, so that
    two at once cannot both pass the caps."""
    return Enterprise.objects.select_for_update().get(pk=enterprise_id)


def library_document_add(
    *, enterprise, by, kind: str, upload, year: int | None = None
) -> LibraryDocument:
    """Store an uploaded document in ``enterprise``'s library, checked as an application's
    uploads are (type by content, structure, size, name), within the library's caps."""
    return _discarding(
        LibraryDocument,
        _library_document_add,
        enterprise=enterprise,
        by=by,
        kind=kind,
        upload=upload,
        year=year,
    )


@transaction.atomic
def _library_document_add(
    *, enterprise, by, kind: str, upload, year: int | None, written: list[str]
) -> LibraryDocument:
    _require_library_owner(enterprise.pk, by)
    enterprise = _lock_enterprise(enterprise.pk)
    _check_library_kind_and_year(kind, year)
    checked = validate_upload(upload)
    _check_library_caps(enterprise, size=checked.size)
    document = LibraryDocument(
        enterprise=enterprise,
        kind=kind,
        year=year,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=_sha256(upload),
        uploaded_by=by,
    )
    _store_file(document, upload, original_name=checked.safe_name, written=written)
    document.save()
    return document


def library_document_replace(*, library_document: LibraryDocument, by, upload) -> LibraryDocument:
    """Put a new file in place of a library document's, its kind and year kept. The copies
    already attached to applications keep the file they were given."""
    return _discarding(
        LibraryDocument,
        _library_document_replace,
        library_document=library_document,
        by=by,
        upload=upload,
    )


@transaction.atomic
def _library_document_replace(
    *, library_document: LibraryDocument, by, upload, written: list[str]
) -> LibraryDocument:
    _require_library_owner(library_document.enterprise_id, by)
    enterprise = _lock_enterprise(library_document.enterprise_id)
    document = _locked_library_document(library_document)
    checked = validate_upload(upload)
    _check_library_caps(enterprise, size=checked.size, replacing=document)
    previous = document.file.name
    document.original_name = checked.safe_name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = _sha256(upload)
    document.uploaded_by = by
    document.uploaded_at = timezone.now()
    _store_file(document, upload, original_name=checked.safe_name, written=written)
    document.save()
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


def library_document_attach(
    *,
    application: Application,
    library_document: LibraryDocument,
    by,
    kind: str | None = None,
) -> ApplicationDocument:
    """Attach a document of the enterprise's library to ``application``: a new document of the
    application with its own copy of the file (the same SHA-256) and a link back to the
    library's, so that whatever later happens in the library, the application keeps what was
    attached. ``kind`` defaults to the library document's kind where the track's list has it,
    else 其他材料. As for an upload: only while the application is editable, within its caps.

    All or nothing: a copy that fails to be written or recorded leaves no file behind."""
    return _discarding(
        ApplicationDocument,
        _library_document_attach,
        application=application,
        library_document=library_document,
        by=by,
        kind=kind,
    )


@transaction.atomic
def _library_document_attach(
    *,
    application: Application,
    library_document: LibraryDocument,
    by,
    kind: str | None,
    written: list[str],
) -> ApplicationDocument:
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


# ── the transitions ────────────────────────────────────────────────────────────────────────


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("track__measure", "window", "enterprise")
        .get(pk=application.pk)
    )


def _take(
    application: Application,
    name: str,
    *,
    by,
    comment: str = "",
    comment_public: bool = True,
    amount: Decimal | None = None,
    before=None,
    allowed=None,
    arguments: dict | None = None,
) -> Application:
    """Take transition ``name``; the caller holds a transaction. ``before(application)`` runs
    before the conditions are checked, ``allowed(application)`` once they hold, just before
    the transition is taken."""
    application = _locked(application)
    method = getattr(application, name)
    label = transition_label(name)
    if not can_proceed(method, check_conditions=False):
        raise ApplicationError(
            _("申报当前为“%(state)s”，不能%(action)s；可能已被他人办理，请刷新后查看。")
            % {"state": application.get_state_display(), "action": label}
        )
    if not permissions.may_take(method, by):
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": label})
    if before is not None:
        before(application)
    if not can_proceed(method):
        problems = []
        if name in ("submit", "resubmit"):
            problems = application.submission_problems(require_open_window=name == "submit")
        raise ApplicationError(*(problems or [_("不满足%(action)s的条件。") % {"action": label}]))
    if allowed is not None:
        allowed(application)
    from_state = application.state
    method(**(arguments or {}))
    now = timezone.now()
    application.state_changed_at = now
    application.save()
    entry = TransitionLog.objects.create(
        application=application,
        actor=by,
        transition=name,
        from_state=from_state,
        to_state=application.state,
        comment=comment,
        comment_public=comment_public,
        amount=amount,
        created_at=now,
    )
    transition_taken.send(sender=Application, entry=entry, by=by)
    _record_events([entry])
    return application


def _record_events(entries: list[TransitionLog]) -> None:
    """The outbox rows of ``entries``, in the caller's transaction; whoever delivers them
    hears of it through ``events_recorded``."""
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(log_entry=entry, created_at=entry.created_at) for entry in entries],
        batch_size=LOG_BATCH_SIZE,
    )
    events_recorded.send(sender=Application, events=events)


def _take_with_comment(application: Application, name: str, *, by, comment: str, public: bool):
    """A return or a rejection: never without a reason."""
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("%(action)s须填写意见。") % {"action": transition_label(name)})
    return _take(application, name, by=by, comment=comment, comment_public=public)


def _read_amount(amount) -> Decimal | None:
    """A reviewer's amount, read as every figure is (measures.numbers): to the fen, within
    AMOUNT_CEILING; None for none."""
    try:
        return parse_number(amount, decimal_places=2, maximum=AMOUNT_CEILING, minimum=None)
    except ValidationError as error:
        raise ApplicationError(
            *(_("金额：%(reason)s") % {"reason": m} for m in error.messages)
        ) from None


def _check_amount(application: Application, amount: Decimal | None) -> Decimal:
    """The amount must lie within the track's rule: its floor and cap, and for a formula track
    never above what the rule calculates."""
    if amount is None:
        raise ApplicationError(_("请填写金额。"))
    track = application.track
    if amount <= 0:
        raise ApplicationError(_("金额须大于0。"))
    if track.floor is not None and amount < track.floor:
        raise ApplicationError(
            _("金额不能低于通知规定的%(floor)s（%(rule)s）。")
            % {"floor": format_yuan(track.floor), "rule": track.rule_text}
        )
    if track.cap is not None and amount > track.cap:
        raise ApplicationError(
            _("金额不能高于通知规定的最高%(cap)s（%(rule)s）。")
            % {"cap": format_yuan(track.cap), "rule": track.rule_text}
        )
    if (
        track.is_formula
        and application.calculated_amount is not None
        and amount > application.calculated_amount
    ):
        raise ApplicationError(
            _("金额不能高于按通知测算的%(amount)s。")
            % {"amount": format_yuan(application.calculated_amount)}
        )
    return amount


def _check_yearly_cap(application: Application, approved: Decimal) -> None:
    """A cap "per year" (measure 18: 最高1000万元/年) holds across all of a year's windows."""
    track = application.track
    if track.cap is None or track.cap_period != Track.CapPeriod.YEAR:
        return
    # Lock the enterprise: its approvals on this track in one year are taken one at a time.
    Enterprise.objects.select_for_update().filter(pk=application.enterprise_id).first()
    earlier = Application.objects.filter(
        enterprise_id=application.enterprise_id,
        track=track,
        window__year=application.window.year,
        state__in=BUDGETED_STATES,
    ).exclude(pk=application.pk).aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
    if earlier + approved > track.cap:
        raise ApplicationError(
            _("超出年度上限：%(year)s年已核定%(earlier)s，本类别每年最高%(cap)s。")
            % {
                "year": application.window.year,
                "earlier": format_yuan(earlier),
                "cap": format_yuan(track.cap),
            }
        )


@transaction.atomic
def application_submit(*, application: Application, by, comment: str = "") -> Application:
    def freeze(app: Application) -> None:
        app.calculated_amount = app.quote().amount
        app.district = app.enterprise.district

    def number(app: Application) -> None:
        # The first submission gives the reference, in this transaction: a submission that
        # fails takes no number. A draft from before references waited for submission keeps
        # the one it was given.
        if app.reference is None:
            app.reference = _next_reference(
                measure_number=app.track.measure.number, year=app.window.year
            )

    return _take(application, "submit", by=by, comment=comment, before=freeze, allowed=number)


@transaction.atomic
def application_resubmit(*, application: Application, by, comment: str = "") -> Application:
    def freeze(app: Application) -> None:
        app.calculated_amount = app.quote().amount

    return _take(application, "resubmit", by=by, comment=comment, before=freeze)


@transaction.atomic
def application_withdraw(*, application: Application, by, comment: str = "") -> Application:
    return _take(application, "withdraw", by=by, comment=comment)


@transaction.atomic
def application_district_approve(
    *, application: Application, by, amount, comment: str = "", comment_public: bool = True
) -> Application:
    amount = _read_amount(amount)

    def set_amount(app: Application) -> None:
        app.recommended_amount = _check_amount(app, amount)

    app = _take(
        application,
        "district_approve",
        by=by,
        comment=comment,
        comment_public=comment_public,
        amount=amount,
        before=set_amount,
    )
    return app


@transaction.atomic
def application_district_return(
    *, application: Application, by, comment: str, comment_public: bool = True
) -> Application:
    return _take_with_comment(
        application, "district_return", by=by, comment=comment, public=comment_public
    )


@transaction.atomic
def application_district_reject(
    *, application: Application, by, comment: str, comment_public: bool = True
) -> Application:
    return _take_with_comment(
        application, "district_reject", by=by, comment=comment, public=comment_public
    )


@transaction.atomic
def application_municipal_approve(
    *, application: Application, by, amount, comment: str = "", comment_public: bool = True
) -> Application:
    amount = _read_amount(amount)

    def set_amount(app: Application) -> None:
        approved = _check_amount(app, amount)
        # Lock the window: approvals against one budget are taken one at a time.
        window = ApplicationWindow.objects.select_for_update().get(pk=app.window_id)
        remaining = window.total_budget - window_committed_amount(window)
        if approved > remaining:
            raise ApplicationError(
                _("超出批次预算：剩余可用%(remaining)s，本次核定%(amount)s。")
                % {"remaining": format_yuan(remaining), "amount": format_yuan(approved)}
            )
        _check_yearly_cap(app, approved)
        app.approved_amount = approved

    application = _take(
        application,
        "municipal_approve",
        by=by,
        comment=comment,
        comment_public=comment_public,
        amount=amount,
        before=set_amount,
    )
    _window_totals_add({application.window_id: (application.approved_amount, ZERO)})
    return application


@transaction.atomic
def application_municipal_return(
    *, application: Application, by, comment: str, comment_public: bool = True
) -> Application:
    return _take_with_comment(
        application, "municipal_return", by=by, comment=comment, public=comment_public
    )


@transaction.atomic
def application_municipal_reject(
    *, application: Application, by, comment: str, comment_public: bool = True
) -> Application:
    return _take_with_comment(
        application, "municipal_reject", by=by, comment=comment, public=comment_public
    )


@transaction.atomic
def application_objection_upheld(*, application: Application, by, comment: str) -> Application:
    """An objection to the application's 公示 was upheld: back to municipal review, and its
    approved amount no longer counts against the window's budget."""
    application = _take_with_comment(
        application, "objection_upheld", by=by, comment=comment, public=True
    )
    _window_totals_add({application.window_id: (-application.approved_amount, ZERO)})
    return application


# Log rows per INSERT when many are written at once.
LOG_BATCH_SIZE = 5000


# ── the windows' budget totals ─────────────────────────────────────────────────────────────


def _window_totals_add(changes: dict[int, tuple[Decimal, Decimal]]) -> None:
    """Add (approved, disbursed) to each window's totals, in the caller's transaction: one
    INSERT for windows that have no row yet and one UPDATE, however many windows."""
    if not changes:
        return
    WindowTotals.objects.bulk_create(
        [WindowTotals(window_id=window_id) for window_id in changes], ignore_conflicts=True
    )

    def change(index: int):
        return Case(
            *(
                When(pk=window_id, then=Value(amounts[index]))
                for window_id, amounts in changes.items()
            ),
            default=Value(ZERO),
            output_field=DecimalField(**MONEY),
        )

    WindowTotals.objects.filter(pk__in=list(changes)).update(
        approved_amount=F("approved_amount") + change(0),
        disbursed_amount=F("disbursed_amount") + change(1),
    )


def _summed_totals(window_ids) -> dict[int, tuple[Decimal, Decimal]]:
    rows = (
        Application.objects.filter(window_id__in=window_ids, state__in=BUDGETED_STATES)
        .values("window_id", "state")
        .annotate(total=Sum("approved_amount"))
    )
    sums = {window_id: [ZERO, ZERO] for window_id in window_ids}
    for row in rows:
        sums[row["window_id"]][row["state"] == State.DISBURSED] += row["total"] or ZERO
    return {window_id: (approved, disbursed) for window_id, (approved, disbursed) in sums.items()}


@transaction.atomic
def window_totals_recount(*, windows: QuerySet | None = None) -> list[int]:
    """Recompute the budget totals of ``windows`` (all by default) from their applications,
    for rows written outside the services; returns the ids of the windows that were off.

    The totals rows are locked before the applications are summed, so a payment or an
    approval running meanwhile adds its change after the recount, to the right figure."""
    windows = windows if windows is not None else ApplicationWindow.objects.all()
    window_ids = list(windows.order_by("pk").values_list("pk", flat=True))
    WindowTotals.objects.bulk_create(
        [WindowTotals(window_id=window_id) for window_id in window_ids], ignore_conflicts=True
    )
    kept = {
        totals.pk: (totals.approved_amount, totals.disbursed_amount)
        for totals in WindowTotals.objects.select_for_update()
        .filter(pk__in=window_ids)
        .order_by("pk")
    }
    corrected = []
    for window_id, (approved, disbursed) in _summed_totals(window_ids).items():
        if kept[window_id] != (approved, disbursed):
            WindowTotals.objects.filter(pk=window_id).update(
                approved_amount=approved, disbursed_amount=disbursed
            )
            corrected.append(window_id)
    return corrected


def _take_many(
    locked: list[Application], name: str, *, by, comment: str, at, scope=None, **arguments
):
    """Take transition ``name`` on every locked application at once.

    Each row passes through the state machine in memory (its permission and conditions checked
    as for one); the result, the same for every row, is written in one UPDATE guarded by the
    source state, as ConcurrentTransitionMixin guards one row, and the log entries and outbox
    events in bulk. The queries do not grow with the number of applications, except the
    inserts of the log rows. All or none: any row that cannot take it aborts the whole call.
    ``scope``, a query of exactly the locked rows, spares the UPDATE a list of their ids.
    """
    blocked = []
    from_state = locked[0].state
    for application in locked:
        method = getattr(application, name)
        if application.state != from_state or not can_proceed(method):
            blocked.append(
                _("%(reference)s 当前为“%(state)s”，不能%(action)s。")
                % {
                    "reference": application.reference_label,
                    "state": application.get_state_display(),
                    "action": transition_label(name),
                }
            )
        elif not permissions.may_take(method, by):
            raise PermissionDenied(_("您没有权限%(action)s。") % {"action": transition_label(name)})
        else:
            method(at=at, **arguments)
            application.state_changed_at = at
    if blocked:
        raise ApplicationError(*blocked)
    fields = _BULK_FIELDS[name]
    values = {field: getattr(locked[0], field) for field in fields}
    assert all(getattr(a, field) == values[field] for a in locked for field in fields)
    ids = scope.values("pk") if scope is not None else [a.pk for a in locked]
    updated = Application.objects.filter(pk__in=ids, state=from_state).update(
        **values, updated_at=at
    )
    if updated != len(locked):
        # Cannot happen while the rows are locked; if it ever does, nothing changes.
        raise ApplicationError(_("申报状态已被他人更改，请刷新后重试。"))
    return _log_many(
        [(application, comment) for application in locked],
        by=by,
        transition=name,
        from_state=from_state,
        to_state=locked[0].state,
        at=at,
    )


# What each transition taken in bulk sets, the same for every row it is taken on.
_BULK_FIELDS = {
    "disburse": ("state", "disbursed_on", "disbursed_at", "due_at", "state_changed_at"),
    "expire": ("state", "closed_at", "due_at", "state_changed_at"),
}


@transaction.atomic
def applications_disburse(
    *, applications: QuerySet, by, paid_on, comment: str = ""
) -> list[TransitionLog]:
    """Take ``disburse`` on every application of ``applications`` at once (a batch's paid
    lines), as ``_take_many`` does."""
    locked = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=applications.values("pk"))
        .only("pk", "reference", "state", "enterprise_id", "window_id", "approved_amount", "due_at")
        .order_by("pk")
    )
    if not locked:
        return []
    entries = _take_many(
        locked,
        "disburse",
        by=by,
        comment=comment,
        at=timezone.now(),
        scope=applications,
        paid_on=paid_on,
    )
    paid: dict[int, Decimal] = {}
    for application in locked:
        paid[application.window_id] = paid.get(application.window_id, ZERO) + (
            application.approved_amount or ZERO
        )
    _window_totals_add({window_id: (-amount, amount) for window_id, amount in paid.items()})
    return entries


@transaction.atomic
def applications_record_payment_failures(*, failures: dict, by) -> list[TransitionLog]:
    """Tell each enterprise why the bank returned its payment: {application: reason}. The
    application stays approved, to be paid in a later batch; the entry is on its timeline."""
    return _log_many(
        list(failures.items()),
        by=by,
        transition="payment_failed",
        from_state=State.APPROVED,
        to_state=State.APPROVED,
        at=timezone.now(),
    )


def _log_many(rows, *, by, transition, from_state, to_state, at) -> list[TransitionLog]:
    """Log one event for many applications at once, (application, comment) each, with their
    approved amounts; then what a single transition announces, for each of them."""
    entries = TransitionLog.objects.bulk_create(
        [
            TransitionLog(
                application=application,
                actor=by,
                transition=transition,
                from_state=from_state,
                to_state=to_state,
                comment=comment,
                amount=application.approved_amount,
                created_at=at,
            )
            for application, comment in rows
        ],
        batch_size=LOG_BATCH_SIZE,
    )
    for entry in entries:
        transition_taken.send(sender=Application, entry=entry, by=by)
    _record_events(entries)
    return entries


@transaction.atomic
def application_expire(*, application: Application) -> Application:
    """Taken by the scheduler for a draft whose window has closed."""
    return _take(
        application,
        "expire",
        by=None,
        comment=str(_("申报批次已截止，草稿自动过期。")),
        arguments={"at": timezone.now()},
    )


# Drafts expired per transaction by the sweep.
EXPIRE_CHUNK = 5000


def applications_expire_closed_drafts(*, now=None, chunk: int = EXPIRE_CHUNK) -> int:
    """Expire every draft whose window has closed by ``now``, through the state machine, a
    chunk of drafts per transaction: their rows locked with SKIP LOCKED (a draft someone is
    saving is left for the next run), one UPDATE, the log and outbox rows in bulk."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _expire_in_sql(now=now, chunk=chunk)
    expired = 0
    while True:
        with transaction.atomic():
            locked = list(
                Application.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=State.DRAFT, window__closes_at__lte=now)
                .select_related("window")
                .only(
                    "pk",
                    "reference",
                    "created_at",
                    "state",
                    "enterprise_id",
                    "approved_amount",
                    "due_at",
                    "window__closes_at",
                )
                .order_by("pk")[:chunk]
            )
            for application in locked:
                application.clock = now
            if locked:
                _take_many(
                    locked,
                    "expire",
                    by=None,
                    comment=str(_("申报批次已截止，草稿自动过期。")),
                    at=now,
                )
        expired += len(locked)
        if len(locked) < chunk:
            return expired


def _expire_in_sql(*, now, chunk: int) -> int:
    """The same on PostgreSQL, a chunk in one statement: lock the drafts (SKIP LOCKED), move
    them, write their log entries and outbox events. The state machine decides once for the
    chunk, on one of its drafts: every draft of it shares what the decision depends on (the
    source state and the closed window, which the WHERE holds; the scheduler as the actor),
    and its transition sets the same values on each."""
    comment = str(_("申报批次已截止，草稿自动过期。"))
    drafts = Application.objects.filter(state=State.DRAFT, window__closes_at__lte=now)
    expired = 0
    while True:
        with transaction.atomic():
            sample = drafts.select_related("window").order_by("pk").first()
            if sample is None:
                return expired
            sample.clock = now
            if not (can_proceed(sample.expire) and permissions.may_take(sample.expire, None)):
                raise ApplicationError(
                    _("草稿不能自动过期：%(reference)s。") % {"reference": sample.reference_label}
                )
            sample.expire(at=now)
            sample.state_changed_at = now
            values = {
                Application._meta.get_field(name).column: getattr(sample, name)
                for name in _BULK_FIELDS["expire"]
            }
            ids = _expire_chunk(values, chunk=chunk, at=now, comment=comment)
            events_recorded.send(sender=Application, events=[OutboxEvent(pk=pk) for pk in ids])
        expired += len(ids)
        if len(ids) < chunk:
            return expired


def _expire_chunk(values: dict, *, chunk: int, at, comment: str) -> list[int]:
    """One statement, the windows' closing read in it: returns the ids of the outbox events
    written. A window reopened meanwhile keeps its drafts."""
    quote = connection.ops.quote_name
    application = quote(Application._meta.db_table)
    window = quote(ApplicationWindow._meta.db_table)
    log = TransitionLog._meta
    outbox = OutboxEvent._meta
    assignments = ", ".join(f"{quote(column)} = %s" for column in values)

    def columns(meta, *names):
        return ", ".join(quote(meta.get_field(name).column) for name in names)

    # Only identifiers from the models' metadata, quoted, are formatted in; values are parameters.
    sql = f"""
        WITH chosen AS (
            SELECT id FROM {application}
            WHERE state = %s AND window_id IN (SELECT id FROM {window} WHERE closes_at <= %s)
            ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
        ), moved AS (
            UPDATE {application} AS a SET {assignments}, updated_at = %s
            FROM chosen WHERE a.id = chosen.id AND a.state = %s
            RETURNING a.id, a.approved_amount
        ), logged AS (
            INSERT INTO {quote(log.db_table)} ({
        columns(
            log,
            "application",
            "actor",
            "transition",
            "from_state",
            "to_state",
            "comment",
            "comment_public",
            "amount",
            "created_at",
        )
    })
            SELECT id, NULL, 'expire', %s, %s, %s, TRUE, approved_amount, %s FROM moved
            RETURNING id
        )
        INSERT INTO {quote(outbox.db_table)} ({
        columns(outbox, "log_entry", "created_at", "delivered_at", "claimed_until", "attempts")
    })
        SELECT id, %s, NULL, NULL, 0 FROM logged
        RETURNING id
    """  # noqa: S608
    parameters = [
        State.DRAFT,
        at,
        chunk,
        *values.values(),
        at,
        State.DRAFT,
        State.DRAFT,
        State.EXPIRED,
        comment,
        at,
        at,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [row[0] for row in cursor.fetchall()]


def documents_sweep_orphans(*, older_than=None) -> int:
    """Delete stored files no row refers to, of applications' documents and of the enterprises'
    libraries: left when a transaction that had saved an upload rolled back afterwards. Only
    files older than ``older_than`` (an hour by default), so an upload whose transaction is
    still open is never touched."""
    from django.core.files.storage import default_storage

    cutoff = timezone.now() - (older_than or timedelta(hours=1))
    removed = 0
    for top, model in (("applications", ApplicationDocument), ("library", LibraryDocument)):
        known = set(model.objects.values_list("file", flat=True))
        try:
            folders, _files = default_storage.listdir(top)
        except FileNotFoundError:
            continue
        for folder in folders:
            _subfolders, files = default_storage.listdir(f"{top}/{folder}")
            for name in files:
                path = f"{top}/{folder}/{name}"
                if path not in known and default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
    return removed


# Applications whose deadlines are counted again per transaction, after a change of holidays.
RECOUNT_CHUNK = 1000


def applications_recount_deadlines(*, years) -> int:
    """After a change of the holiday schedule of ``years``: count again the due date of each
    open review stage and each time limit to payment that runs through one of those years, from
    the moment it was counted from. A chunk of applications per transaction, their rows locked.
    Returns how many applications changed."""
    from measures.workdays import due_after_workdays, end_of_day

    floor = end_of_day(date(min(years), 1, 1) - timedelta(days=1))
    ceiling = end_of_day(date(max(years), 12, 31))
    spans = (
        Q(payment_due_at__gt=floor, first_submitted_at__lte=ceiling)
        | Q(state=State.DISTRICT_REVIEW, district_due_at__gt=floor, submitted_at__lte=ceiling)
        | Q(
            state=State.MUNICIPAL_REVIEW,
            municipal_due_at__gt=floor,
            municipal_review_at__lte=ceiling,
        )
    )
    ids = list(
        Application.objects.filter(spans, state__in=UNPAID_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    fields = ["payment_due_at", "district_due_at", "municipal_due_at", "due_at"]
    changed = 0
    for start in range(0, len(ids), RECOUNT_CHUNK):
        with transaction.atomic():
            rows = list(
                Application.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + RECOUNT_CHUNK], state__in=UNPAID_STATES)
                .select_related("window")
                .only(
                    "pk",
                    "state",
                    *fields,
                    "first_submitted_at",
                    "submitted_at",
                    "municipal_review_at",
                    "window__processing_days",
                    "window__district_review_days",
                    "window__municipal_review_days",
                )
            )
            updated = []
            for application in rows:
                before = [getattr(application, name) for name in fields]
                window = application.window
                if application.first_submitted_at and application.payment_due_at:
                    application.payment_due_at = due_after_workdays(
                        application.first_submitted_at, window.processing_days
                    )
                if application.state == State.DISTRICT_REVIEW and application.submitted_at:
                    application.district_due_at = due_after_workdays(
                        application.submitted_at, window.district_review_days
                    )
                    application.due_at = application.district_due_at
                if application.state == State.MUNICIPAL_REVIEW and application.municipal_review_at:
                    application.municipal_due_at = due_after_workdays(
                        application.municipal_review_at, window.municipal_review_days
                    )
                    application.due_at = application.municipal_due_at
                if [getattr(application, name) for name in fields] != before:
                    updated.append(application)
            Application.objects.bulk_update(updated, fields)
            changed += len(updated)
    return changed
