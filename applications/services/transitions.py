"""The transitions of one application, each: lock the row, check the permission and the
conditions, transition, save, log, and queue the notifications for after the commit."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from measures.models import ApplicationWindow, Track
from measures.money import format_yuan
from measures.numbers import AMOUNT_CEILING, parse_number

from ..errors import ApplicationError
from ..models import (
    BUDGETED_STATES,
    Application,
    ReferenceCounter,
    transition_label,
)
from ..provenance import declared_sources_of
from ..selectors import window_committed_amount
from ._base import ZERO, _take
from .totals import _window_totals_add


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
        app.declared_sources = declared_sources_of(app)

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
        app.declared_sources = declared_sources_of(app)

    return _take(application, "resubmit", by=by, comment=comment, before=freeze)


@transaction.atomic
def application_withdraw(*, application: Application, by, comment: str = "") -> Application:
    return _take(application, "withdraw", by=by, comment=comment)


def _take_with_amount(
    application: Application, name: str, record, *, by, amount, comment: str, comment_public: bool
) -> Application:
    """An approval: the reviewer's amount, read and checked against the track's rule, is given
    to ``record(application, amount)`` before the conditions are checked."""
    amount = _read_amount(amount)

    def checked(app: Application) -> None:
        record(app, _check_amount(app, amount))

    return _take(
        application,
        name,
        by=by,
        comment=comment,
        comment_public=comment_public,
        amount=amount,
        before=checked,
    )


def _recommend(application: Application, recommended: Decimal) -> None:
    application.recommended_amount = recommended


def _approve_within_budget(application: Application, approved: Decimal) -> None:
    # Lock the window: approvals against one budget are taken one at a time.
    window = ApplicationWindow.objects.select_for_update().get(pk=application.window_id)
    remaining = window.total_budget - window_committed_amount(window)
    if approved > remaining:
        raise ApplicationError(
            _("超出批次预算：剩余可用%(remaining)s，本次核定%(amount)s。")
            % {"remaining": format_yuan(remaining), "amount": format_yuan(approved)}
        )
    _check_yearly_cap(application, approved)
    application.approved_amount = approved


@transaction.atomic
def application_district_approve(
    *, application: Application, by, amount, comment: str = "", comment_public: bool = True
) -> Application:
    return _take_with_amount(
        application,
        "district_approve",
        _recommend,
        by=by,
        amount=amount,
        comment=comment,
        comment_public=comment_public,
    )


@transaction.atomic
def application_municipal_approve(
    *, application: Application, by, amount, comment: str = "", comment_public: bool = True
) -> Application:
    application = _take_with_amount(
        application,
        "municipal_approve",
        _approve_within_budget,
        by=by,
        amount=amount,
        comment=comment,
        comment_public=comment_public,
    )
    _window_totals_add({application.window_id: (application.approved_amount, ZERO)})
    return application


def _returned_or_rejected(name: str):
    """A reviewer's return or rejection ``name``: taken with its reason, never without one."""

    @transaction.atomic
    def take(
        *, application: Application, by, comment: str, comment_public: bool = True
    ) -> Application:
        return _take_with_comment(application, name, by=by, comment=comment, public=comment_public)

    take.__name__ = take.__qualname__ = f"application_{name}"
    return take


application_district_return = _returned_or_rejected("district_return")
application_district_reject = _returned_or_rejected("district_reject")
application_municipal_return = _returned_or_rejected("municipal_return")
application_municipal_reject = _returned_or_rejected("municipal_reject")


@transaction.atomic
def application_objection_upheld(*, application: Application, by, comment: str) -> Application:
    """An objection to the application's 公示 was upheld: back to municipal review, and its
    approved amount no longer counts against the window's budget."""
    application = _take_with_comment(
        application, "objection_upheld", by=by, comment=comment, public=True
    )
    _window_totals_add({application.window_id: (-application.approved_amount, ZERO)})
    return application


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
