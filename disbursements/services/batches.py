"""Building a batch and moving it on: create, add and remove applications, freeze, void."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, State, reference_label
from enterprises.models import Enterprise
from measures.money import format_yuan_exact
from policy_portal.logs import log_change
from publicity.selectors import cleared_application_ids

from .. import permissions
from ..errors import DisbursementError
from ..models import BatchLine, BatchState, DisbursementBatch, LineStatus
from .helpers import (
    _check,
    _lines_changed,
    _locked,
    _next_number,
    _references,
    _require_draft,
    _take,
    _update_totals,
)
from .labels import _Labels

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
    log_change(batch, "create", by=by, from_state=BatchState.DRAFT)
    return batch


@dataclass(frozen=True)
class AddOutcome:
    application_id: int
    reference: str
    added: bool
    problem: str = ""
    enterprise: str = ""
    amount: Decimal | None = None


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


# What each candidate is read as (tuples rather than models: a batch may take a hundred
# thousand applications at once).
_CANDIDATE_COLUMNS = (
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


@dataclass(frozen=True)
class _Candidate:
    pk: int
    reference: str
    created_at: object
    state: str
    amount: Decimal | None
    district: str
    track_id: int
    window_id: int
    enterprise_id: int
    name: str
    credit_code: str
    bank_name: str
    bank_account: str


class _Judge:
    """Why an application cannot join a batch ("" when it can): the same conditions for the
    confirmation page's preview and for the addition itself."""

    def __init__(self, chosen, batch: DisbursementBatch | None):
        self.batch = batch
        self.live = dict(
            BatchLine.objects.filter(
                application__in=chosen, status=LineStatus.IN_BATCH
            ).values_list("application_id", "batch__number")
        )
        # Paid only after the 公示: one closed without an upheld objection against it.
        self.cleared = cleared_application_ids(chosen)
        self.labels = _Labels()

    def problem(self, c: _Candidate) -> str:
        batch = self.batch
        if c.pk in self.live:
            if batch is not None and self.live[c.pk] == batch.number:
                return _("已在本批次中。")
            return _("已在拨付批次%(number)s中。") % {"number": self.live[c.pk]}
        if c.state != State.APPROVED:
            return _("申报当前为“%(state)s”，只有已批准的申报可以拨付。") % {
                "state": State(c.state).label
            }
        if not (c.bank_name and c.bank_account):
            return _("企业尚未登记开户银行和银行账号。")
        if c.amount is None:
            return _("核定金额为空。")
        if c.amount <= 0:
            return _("核定金额须大于0。")
        if c.pk not in self.cleared:
            return _("尚未完成公示：公示期结束且无成立的异议后方可拨付。")
        if batch is not None and batch.window_id is not None and c.window_id != batch.window_id:
            return _("不属于本拨付批次的申报批次。")
        if (
            batch is not None
            and batch.measure_id is not None
            and c.track_id not in self.labels.tracks_of(batch.measure_id)
        ):
            return _("不属于本拨付批次的政策条款。")
        return ""

    def outcome(self, c: _Candidate) -> AddOutcome:
        problem = self.problem(c)
        # A draft chosen by mistake has no reference yet: it is named as the lists show it.
        return AddOutcome(
            c.pk,
            reference_label(c.reference, c.created_at),
            not problem,
            problem,
            enterprise=c.name,
            amount=c.amount,
        )


def batch_addition_preview(
    *, applications: QuerySet[Application], batch: DisbursementBatch | None = None
) -> list[AddOutcome]:
    """What adding ``applications`` would do, one outcome each in id order, without adding
    anything: which would join (``added``) and why each other one would not. Without a batch,
    the conditions of the batch's own window or measure are left to the addition itself."""
    chosen = applications.values("pk")
    judge = _Judge(chosen, batch)
    rows = Application.objects.filter(pk__in=chosen).order_by("pk")
    return [judge.outcome(_Candidate(*row)) for row in rows.values_list(*_CANDIDATE_COLUMNS)]


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
    candidates = [
        _Candidate(*row)
        for row in Application.objects.select_for_update(of=("self",))
        .filter(pk__in=chosen)
        .order_by("pk")
        .values_list(*_CANDIDATE_COLUMNS)
    ]
    judge = _Judge(chosen, batch)
    labels = judge.labels
    outcomes, lines = [], []
    for c in candidates:
        outcome = judge.outcome(c)
        outcomes.append(outcome)
        if not outcome.added:
            continue
        measure_label, track_name = labels.track(c.track_id)
        lines.append(
            BatchLine(
                batch=batch,
                application_id=c.pk,
                enterprise_id=c.enterprise_id,
                district=c.district,
                track_id=c.track_id,
                amount=c.amount,
                reference=c.reference,
                enterprise_name=c.name,
                credit_code=c.credit_code,
                district_name=labels.district(c.district),
                measure_label=measure_label,
                track_name=track_name,
                bank_name=c.bank_name,
                bank_account=c.bank_account,
            )
        )
    if lines:
        BatchLine.objects.bulk_create(lines, batch_size=5000)
        _lines_changed(
            batch,
            "add_lines",
            by=by,
            comment=_("加入%(count)d笔：%(refs)s")
            % {"count": len(lines), "refs": _references(lines)},
        )
    return outcomes


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
    _lines_changed(
        batch,
        "remove_lines",
        by=by,
        comment=_("移出%(count)d笔：%(refs)s")
        % {"count": len(references), "refs": "、".join(references[:20])},
    )
    return len(references)


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
        # The ciphertext and its keyed hash as they are: copied, never decrypted here.
        bank_account=Subquery(enterprise.values("bank_account")[:1]),
        bank_account_hash=Subquery(enterprise.values("bank_account_hash")[:1]),
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
