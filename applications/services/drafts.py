"""Creating an application and editing what a draft declares."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from measures.forms import declared_form_class, serialize_declared
from measures.models import ApplicationWindow, Track

from ..errors import ApplicationError
from ..models import (
    CLOSED_STATES,
    Application,
)
from ..provenance import declared_sources_of
from ._base import _locked, _require_editable, _require_member


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
    # Each figure's source as it now stands (a 免申即享 draft's were the departments'; a figure
    # the enterprise changed is its own); recorded again at submission.
    application.declared_sources = declared_sources_of(application)
    application.save(
        update_fields=["declared", "declared_sources", "calculated_amount", "updated_at"]
    )
    return application
