"""Every write to a disbursement batch. Each one locks the batch row first, so that two finance
users working on the same batch take turns; transitions are checked, taken and logged here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from applications.models import Application, State, reference_label
from applications.permissions import may_take
from applications.services import applications_disburse, applications_record_payment_failures
from enterprises.districts import District
from enterprises.models import Enterprise
from enterprises.roles import person_label
from measures.models import Track
from measures.money import format_yuan_exact, round_to_fen
from publicity.selectors import cleared_application_ids

from .. import permissions
from ..errors import BatchUnavailable, DisbursementError
from ..models import (
    BATCH_TRANSITION_LABELS,
    BatchCounter,
    BatchLine,
    BatchLog,
    BatchState,
    DisbursementBatch,
    LineStatus,
)


def transition_label(action: str) -> str:
    return str(BATCH_TRANSITION_LABELS.get(action, action))


def _next_number(year: int) -> str:
    counter, _created = BatchCounter.objects.get_or_create(year=year)
    BatchCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"BF-{year}-{counter.last:04d}"


def _locked(batch: DisbursementBatch) -> DisbursementBatch:
    return DisbursementBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def _log(batch: DisbursementBatch, action: str, *, by, from_state: str, comment: str = ""):
    return BatchLog.objects.create(
        batch=batch,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=batch.state,
        comment=comment,
    )


def _require_draft(batch: DisbursementBatch, by) -> None:
    if not permissions.may_prepare(None, by):
        raise PermissionDenied(_("只有财务人员可以编制拨付批次。"))
    if not permissions.may_prepare(batch, by):
        raise PermissionDenied(_("只有制单人可以修改本批次。"))
    if batch.state != BatchState.DRAFT:
        raise DisbursementError(
            _("批次%(number)s当前为“%(state)s”，只有草稿批次可以增减申报。")
            % {"number": batch.number, "state": batch.get_state_display()}
        )


def _update_totals(batch: DisbursementBatch) -> None:
    totals = batch.lines.filter(status=LineStatus.IN_BATCH).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    batch.line_count = totals["count"]
    batch.total_amount = round_to_fen(Decimal(totals["total"] or 0))


def moment_label(moment) -> str:
    """A moment as the batch pages and messages write it: 2026-11-25 10:30, local time."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def unavailable_reason(batch: DisbursementBatch, name: str) -> str | None:
    """Why ``batch`` cannot take transition ``name`` now, naming who moved it to where it
    stands and when; None when it can."""
    method = getattr(batch, name)
    if can_proceed(method):
        return None
    values = {"number": batch.number, "action": transition_label(name)}
    if batch.state == BatchState.PAID:
        return _(
            "批次%(number)s已于%(when)s由%(person)s确认拨付（银行流水号%(reference)s），"
            "不能%(action)s。"
        ) % {
            **values,
            "when": moment_label(batch.paid_confirmed_at),
            "person": person_label(batch.paid_confirmed_by),
            "reference": batch.bank_reference,
        }
    if batch.state == BatchState.CANCELLED:
        return _("批次%(number)s已于%(when)s由%(person)s作废，不能%(action)s。") % {
            **values,
            "when": moment_label(batch.cancelled_at),
            "person": person_label(batch.cancelled_by),
        }
    if batch.state == BatchState.FROZEN and name == "freeze":
        return _("批次%(number)s已于%(when)s由%(person)s锁定，不能再次锁定。") % {
            **values,
            "when": moment_label(batch.frozen_at),
            "person": person_label(batch.frozen_by),
        }
    if batch.state == BatchState.DRAFT and name == "mark_paid":
        return _("批次%(number)s尚未锁定，锁定后方可确认拨付。") % values
    if can_proceed(method, check_conditions=False):
        return _("批次%(number)s中没有申报，不能%(action)s。") % values
    return _("批次%(number)s当前为“%(state)s”，不能%(action)s。") % {
        **values,
        "state": batch.get_state_display(),
    }


def _check(batch: DisbursementBatch, name: str, *, by) -> None:
    """Refuse transition ``name`` if the batch's state or the person does not allow it."""
    method = getattr(batch, name)
    if not can_proceed(method, check_conditions=False):
        raise BatchUnavailable(unavailable_reason(batch, name))
    if not may_take(method, by):
        if name == "mark_paid" and batch.prepared_by_id == getattr(by, "pk", None):
            raise PermissionDenied(_("制单人不能确认本批次拨付，须由另一名财务人员复核确认。"))
        if name == "cancel":
            raise PermissionDenied(permissions.cancel_refusal(batch, by))
        raise PermissionDenied(_("您没有权限%(action)s。") % {"action": transition_label(name)})


def _take(batch: DisbursementBatch, name: str, *, by, comment: str = "", **arguments):
    """Take transition ``name`` on a locked batch, save it and log it."""
    _check(batch, name, by=by)
    method = getattr(batch, name)
    if not can_proceed(method):
        raise BatchUnavailable(unavailable_reason(batch, name))
    from_state = batch.state
    method(by=by, **arguments)
    batch.save()
    _log(batch, name, by=by, from_state=from_state, comment=comment)
    return batch


# ── building a batch ───────────────────────────────────────────────────────────────────────


@transaction.atomic
def batch_create(*, by, window=None, measure=None, note: str = "") -> DisbursementBatch:
    if not permissions.may_prepare(None, by):
        raise PermissionDenied(_("只有财务人员可以编制拨付批次。"))
    if window is not None and measure is None:
        measure = window.measure
    if window is not None and window.measure_id != measure.pk:
        raise DisbursementError(_("申报批次不属于所选政策条款。"))
    now = timezone.now()
    batch = DisbursementBatch.objects.create(
        number=_next_number(timezone.localtime(now).year),
        window=window,
        measure=measure,
        note=note.strip(),
        prepared_by=by,
        prepared_at=now,
    )
    _log(batch, "create", by=by, from_state=BatchState.DRAFT)
    return batch


@dataclass(frozen=True)
class AddOutcome:
    application_id: int
    reference: str
    added: bool
    problem: str = ""


def payable_applications(*, window=None, measure=None) -> QuerySet[Application]:
    """Approved applications not in a live batch, of a window or a measure when given."""
    applications = Application.objects.filter(state=State.APPROVED).exclude(
        disbursement_lines__status=LineStatus.IN_BATCH
    )
    if window is not None:
        applications = applications.filter(window=window)
    if measure is not None:
        applications = applications.filter(track__measure=measure)
    return applications


@transaction.atomic
def batch_add_applications(
    *, batch: DisbursementBatch, applications: QuerySet[Application], by
) -> list[AddOutcome]:
    """Add approved applications with a bank account on file; report each one that cannot be.

    The applications are locked (in id order, so two adders never deadlock): of two finance
    users adding the same application to two batches at once, the second sees the first's line
    once it commits. The unique constraint on live lines holds even if that were bypassed.
    """
    batch = _locked(batch)
    _require_draft(batch, by)
    chosen = applications.values("pk")
    # Tuples rather than models: a batch may take a hundred thousand applications at once.
    candidates = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=chosen)
        .order_by("pk")
        .values_list(
            "pk",
            "reference",
            "created_at",
            "state",
            "approved_amount",
            "district",
            "track_id",
            "window_id",
            "enterprise_id",
            "enterprise__name",
            "enterprise__credit_code",
            "enterprise__bank_name",
            "enterprise__bank_account",
        )
    )
    live = dict(
        BatchLine.objects.filter(application__in=chosen, status=LineStatus.IN_BATCH).values_list(
            "application_id", "batch__number"
        )
    )
    # Paid only after the 公示: one closed without an upheld objection against the application.
    cleared = cleared_application_ids(chosen)
    labels = _Labels()
    outcomes, lines = [], []
    for (
        pk,
        reference,
        created_at,
        state,
        amount,
        district,
        track_id,
        window_id,
        enterprise_id,
        name,
        credit_code,
        bank_name,
        bank_account,
    ) in candidates:
        problem = ""
        if pk in live:
            problem = (
                _("已在本批次中。")
                if live[pk] == batch.number
                else _("已在拨付批次%(number)s中。") % {"number": live[pk]}
            )
        elif state != State.APPROVED:
            problem = _("申报当前为“%(state)s”，只有已批准的申报可以拨付。") % {
                "state": State(state).label
            }
        elif not (bank_name and bank_account):
            problem = _("企业尚未登记开户银行和银行账号。")
        elif amount is None:
            problem = _("核定金额为空。")
        elif amount <= 0:
            problem = _("核定金额须大于0。")
        elif pk not in cleared:
            problem = _("尚未完成公示：公示期结束且无成立的异议后方可拨付。")
        elif batch.window_id is not None and window_id != batch.window_id:
            problem = _("不属于本拨付批次的申报批次。")
        elif batch.measure_id is not None and track_id not in labels.tracks_of(batch.measure_id):
            problem = _("不属于本拨付批次的政策条款。")
        # A draft chosen by mistake has no reference yet: it is named as the lists show it.
        outcomes.append(
            AddOutcome(pk, reference_label(reference, created_at), not problem, problem)
        )
        if problem:
            continue
        measure_label, track_name = labels.track(track_id)
        lines.append(
            BatchLine(
                batch=batch,
                application_id=pk,
                enterprise_id=enterprise_id,
                district=district,
                track_id=track_id,
                amount=amount,
                reference=reference,
                enterprise_name=name,
                credit_code=credit_code,
                district_name=labels.district(district),
                measure_label=measure_label,
                track_name=track_name,
                bank_name=bank_name,
                bank_account=bank_account,
            )
        )
    if lines:
        BatchLine.objects.bulk_create(lines, batch_size=5000)
        _update_totals(batch)
        batch.save(update_fields=["line_count", "total_amount"])
        _log(
            batch,
            "add_lines",
            by=by,
            from_state=batch.state,
            comment=_("加入%(count)d笔：%(refs)s")
            % {"count": len(lines), "refs": _references(lines)},
        )
    return outcomes


def _references(applications, limit: int = 20) -> str:
    references = [a.reference for a in applications[:limit]]
    more = len(applications) - limit
    return "、".join(references) + (_("等") if more > 0 else "")


@transaction.atomic
def batch_remove_applications(
    *, batch: DisbursementBatch, applications: QuerySet[Application], by
) -> int:
    batch = _locked(batch)
    _require_draft(batch, by)
    lines = batch.lines.filter(application__in=applications.values("pk"))
    references = list(lines.values_list("reference", flat=True))
    if not references:
        return 0
    lines.delete()
    _update_totals(batch)
    batch.save(update_fields=["line_count", "total_amount"])
    _log(
        batch,
        "remove_lines",
        by=by,
        from_state=batch.state,
        comment=_("移出%(count)d笔：%(refs)s")
        % {"count": len(references), "refs": "、".join(references[:20])},
    )
    return len(references)


class _Labels:
    """The district's name and the measure's and track's titles a line records, in Chinese,
    the language of the bank's and the treasury's lists."""

    def __init__(self):
        with translation.override("zh-hans"):
            self.districts = {d.value: str(d.label) for d in District}
            rows = list(
                Track.objects.values_list(
                    "pk", "measure_id", "measure__number", "measure__title", "name"
                )
            )
            self.tracks = {
                pk: (f"第{number}条 {title}", name) for pk, _m, number, title, name in rows
            }
            self.measures = {pk: measure for pk, measure, *_rest in rows}

    def district(self, code: str) -> str:
        return self.districts.get(code, "")

    def track(self, pk: int) -> tuple[str, str]:
        return self.tracks[pk]

    def tracks_of(self, measure_id: int) -> set[int]:
        return {pk for pk, measure in self.measures.items() if measure == measure_id}


def _snapshot(lines: QuerySet[BatchLine]) -> None:
    """Copy each line's payee and policy details again from the rows they live in now, in one
    UPDATE: the amount approved, the enterprise's name, credit code and bank account, the
    district's name and the measure's and track's titles."""
    labels = _Labels()
    enterprise = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).order_by()

    def text_of(mapping: dict, field: str):
        return Case(
            *[When(**{field: key}, then=Value(text)) for key, text in mapping.items()],
            default=Value(""),
            output_field=CharField(),
        )

    lines.update(
        amount=Subquery(
            Application.objects.filter(pk=OuterRef("application_id"))
            .order_by()
            .values("approved_amount")[:1]
        ),
        enterprise_name=Subquery(enterprise.values("name")[:1]),
        credit_code=Subquery(enterprise.values("credit_code")[:1]),
        bank_name=Subquery(enterprise.values("bank_name")[:1]),
        bank_account=Subquery(enterprise.values("bank_account")[:1]),
        district_name=text_of(labels.districts, "district"),
        measure_label=text_of({pk: pair[0] for pk, pair in labels.tracks.items()}, "track_id"),
        track_name=text_of({pk: pair[1] for pk, pair in labels.tracks.items()}, "track_id"),
    )


# ── the transitions ────────────────────────────────────────────────────────────────────────


@transaction.atomic
def batch_freeze(*, batch: DisbursementBatch, by) -> DisbursementBatch:
    """Fix the list and copy every payee's bank details as they stand now."""
    batch = _locked(batch)
    _check(batch, "freeze", by=by)
    applications = Application.objects.filter(
        disbursement_lines__batch=batch, disbursement_lines__status=LineStatus.IN_BATCH
    )
    # Nothing moves under the snapshot: the applications stay as read until the commit.
    list(applications.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    problems = [
        _("%(reference)s 当前为“%(state)s”，请移出本批次。")
        % {"reference": reference, "state": State(state).label}
        for reference, state in applications.exclude(state=State.APPROVED)
        .values_list("reference", "state")
        .order_by("reference")
    ]
    problems += [
        _("%(reference)s 的企业尚未登记开户银行和银行账号，请移出本批次。")
        % {"reference": reference}
        for reference in applications.filter(
            Q(enterprise__bank_account="") | Q(enterprise__bank_name="")
        )
        .values_list("reference", flat=True)
        .order_by("reference")
    ]
    if problems:
        raise DisbursementError(*problems)
    _snapshot(batch.lines.filter(status=LineStatus.IN_BATCH))
    _update_totals(batch)
    return _take(
        batch,
        "freeze",
        by=by,
        comment=_("%(count)d笔，合计%(total)s")
        % {"count": batch.line_count, "total": format_yuan_exact(batch.total_amount)},
    )


@dataclass(frozen=True)
class PaidOutcome:
    batch: DisbursementBatch
    changed: bool
    paid: int = 0
    failed: int = 0


@transaction.atomic
def batch_mark_paid(
    *,
    batch: DisbursementBatch,
    by,
    payment_date: date,
    bank_reference: str,
    failed: dict[str, str] | None = None,
) -> PaidOutcome:
    """The bank has paid: every line's application moves to disbursed, in one transaction, all
    or none. ``failed`` maps the references of lines the bank returned to the bank's reason:
    those leave the batch, their applications stay approved and their enterprises are told.

    Marking a paid batch paid again changes nothing.
    """
    batch = _locked(batch)
    if batch.state == BatchState.PAID:
        return PaidOutcome(batch, changed=False)
    _check(batch, "mark_paid", by=by)
    bank_reference = (bank_reference or "").strip()
    failed = {ref.strip().upper(): (reason or "").strip() for ref, reason in (failed or {}).items()}
    problems = []
    if not bank_reference:
        problems.append(_("请填写银行流水号。"))
    if payment_date is None:
        problems.append(_("请填写拨付日期。"))
    elif payment_date > timezone.localdate():
        problems.append(_("拨付日期不能晚于今天。"))
    elif batch.frozen_at and payment_date < timezone.localdate(batch.frozen_at):
        problems.append(_("拨付日期不能早于批次锁定日期。"))
    live = batch.lines.filter(status=LineStatus.IN_BATCH)
    failed_lines = list(live.filter(reference__in=failed).select_related("application"))
    unknown = set(failed) - {line.reference for line in failed_lines}
    if unknown:
        problems.append(
            _("以下申报编号不在本批次中：%(refs)s。") % {"refs": "、".join(sorted(unknown))}
        )
    if any(not reason for reason in failed.values()):
        problems.append(_("请为每笔失败明细填写银行退回的原因。"))
    reason_max = BatchLine._meta.get_field("failure_reason").max_length
    if any(len(reason) > reason_max for reason in failed.values()):
        problems.append(_("银行退回的原因最多%(max)d个字。") % {"max": reason_max})
    if failed and len(failed_lines) == batch.line_count:
        problems.append(_("全部明细均失败时请作废本批次，而不是确认拨付。"))
    if problems:
        raise DisbursementError(*problems)

    failed_count = len(failed_lines)
    if failed_lines:
        for line in failed_lines:
            line.status = LineStatus.FAILED
            line.failure_reason = failed[line.reference]
        BatchLine.objects.bulk_update(failed_lines, ["status", "failure_reason"])
        applications_record_payment_failures(
            failures={
                line.application: _("拨付批次%(number)s：银行退回，原因：%(reason)s。")
                % {"number": batch.number, "reason": line.failure_reason}
                for line in failed_lines
            },
            by=by,
        )
        _update_totals(batch)
    entries = applications_disburse(
        applications=Application.objects.filter(
            disbursement_lines__batch=batch, disbursement_lines__status=LineStatus.IN_BATCH
        ),
        by=by,
        paid_on=payment_date,
        comment=_("拨付批次%(number)s，银行流水号%(reference)s。")
        % {"number": batch.number, "reference": bank_reference},
    )
    if len(entries) != batch.line_count:
        raise DisbursementError(_("批次明细与申报不一致，未做任何拨付。"))
    comment = _("%(count)d笔，合计%(total)s，银行流水号%(reference)s") % {
        "count": batch.line_count,
        "total": format_yuan_exact(batch.total_amount),
        "reference": bank_reference,
    }
    if failed_lines:
        comment += _("；银行退回%(count)d笔：%(refs)s") % {
            "count": failed_count,
            "refs": "、".join(line.reference for line in failed_lines),
        }
    _take(
        batch,
        "mark_paid",
        by=by,
        comment=comment,
        payment_date=payment_date,
        bank_reference=bank_reference,
    )
    return PaidOutcome(batch, changed=True, paid=len(entries), failed=failed_count)


@transaction.atomic
def batch_cancel(
    *, batch: DisbursementBatch, by, reason: str, exported_list_unpaid: bool = False
) -> DisbursementBatch:
    """Void a batch that has not been paid: its applications are free for another batch. Once
    its list has been exported, only on the word that the bank has not paid it and will not:
    otherwise the same applications could be paid again from a later batch."""
    batch = _locked(batch)
    _check(batch, "cancel", by=by)
    reason = (reason or "").strip()
    if not reason:
        raise DisbursementError(_("作废批次须填写原因。"))
    if batch.exports.exists() and not exported_list_unpaid:
        raise DisbursementError(
            _("本批次已导出过拨付清单，须先向银行确认清单未付款、也不会再付款，方可作废。")
        )
    batch.lines.filter(status=LineStatus.IN_BATCH).update(status=LineStatus.RELEASED)
    return _take(batch, "cancel", by=by, comment=reason, reason=reason)
