"""Disbursement batches (拨付批次): the approved applications paid together, with what was
exported to the bank and who confirmed the payment.

A batch's ``state`` changes only through the ``@transition`` methods below, called from
``disbursements.services``, which lock the row, check the permission and write the log.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from measures.fields import ExactDecimalField
from measures.models import MONEY
from measures.numbers import AMOUNT_CEILING
from policy_portal.encrypted import EncryptedCharField, KeyedHashesKept, KeyedHashField
from policy_portal.fields import (
    application_fk,
    enterprise_fk,
    measure_fk,
    person_fk,
    track_fk,
    who_and_when,
    window_fk,
)
from policy_portal.logs import StateLog, state_fields

from . import permissions


class BatchState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FROZEN = "frozen", _("已锁定待拨付")
    PAID = "paid", _("已拨付")
    CANCELLED = "cancelled", _("已作废")


BATCH_TRANSITION_LABELS = {
    "create": _("新建批次"),
    "add_lines": _("加入申报"),
    "remove_lines": _("移出申报"),
    "freeze": _("锁定批次"),
    "mark_paid": _("确认拨付"),
    "cancel": _("作废批次"),
}


class BatchCounter(models.Model):
    """The last batch number used in a year, so batch numbers never repeat."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DisbursementBatch(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("批次编号"), max_length=20, unique=True, editable=False)
    window = window_fk("disbursement_batches", null=True, blank=True)
    measure = measure_fk("disbursement_batches", null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    state = FSMField(
        _("状态"), default=BatchState.DRAFT, choices=BatchState.choices, protected=True
    )
    # Kept with every change of the lines: what the batch pays, without summing its lines.
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = ExactDecimalField(_("合计金额（元）"), **MONEY, default=0)

    prepared_by, prepared_at = who_and_when(_("制单人"), _("制单时间"))
    frozen_by, frozen_at = who_and_when(_("锁定人"), _("锁定时间"), optional=True)
    paid_confirmed_by, paid_confirmed_at = who_and_when(
        _("复核人"), _("确认拨付时间"), optional=True
    )
    payment_date = models.DateField(_("拨付日期"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)
    cancelled_by, cancelled_at = who_and_when(_("作废人"), _("作废时间"), optional=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("拨付批次")
        ordering = ["-prepared_at", "-pk"]
        indexes = [models.Index(fields=["state", "-prepared_at"], name="batch_state_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_exportable(self) -> bool:
        return self.state in (BatchState.FROZEN, BatchState.PAID)

    def _has_lines(self) -> bool:
        return self.line_count > 0

    @transition(
        field=state,
        source=BatchState.DRAFT,
        target=BatchState.FROZEN,
        permission=permissions.may_prepare,
        conditions=[_has_lines],
    )
    def freeze(self, *, by):
        self.frozen_by = by
        self.frozen_at = timezone.now()

    @transition(
        field=state,
        source=BatchState.FROZEN,
        target=BatchState.PAID,
        permission=permissions.may_confirm_payment,
        conditions=[_has_lines],
    )
    def mark_paid(self, *, by, payment_date, bank_reference: str):
        self.paid_confirmed_by = by
        self.paid_confirmed_at = timezone.now()
        self.payment_date = payment_date
        self.bank_reference = bank_reference

    @transition(
        field=state,
        source=[BatchState.DRAFT, BatchState.FROZEN],
        target=BatchState.CANCELLED,
        permission=permissions.may_cancel,
    )
    def cancel(self, *, by, reason: str):
        self.cancelled_by = by
        self.cancelled_at = timezone.now()
        self.cancel_reason = reason


def batch_fk(related_name: str) -> models.ForeignKey:
    """What a line, a log entry or an export belongs to: kept as long as they are."""
    return models.ForeignKey(
        DisbursementBatch,
        verbose_name=_("拨付批次"),
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class LineStatus(models.TextChoices):
    IN_BATCH = "in_batch", _("在批次中")
    FAILED = "failed", _("银行退回")
    RELEASED = "released", _("批次已作废")


class BatchLine(KeyedHashesKept, models.Model):
    """One application in a batch, with the payee's details as they stood when the batch was
    frozen: a later edit of the enterprise's profile cannot change where the money goes."""

    batch = batch_fk("lines")
    application = application_fk("disbursement_lines")
    enterprise = enterprise_fk("+")
    # The application's own, fixed since it was submitted; kept here for the snapshot.
    district = models.CharField(_("区县代码"), max_length=8)
    track = track_fk("+")
    status = models.CharField(
        _("明细状态"), max_length=16, choices=LineStatus.choices, default=LineStatus.IN_BATCH
    )
    amount = ExactDecimalField(_("核定金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0)
    # The snapshot the exports are made of; taken when the line is added, again at freezing.
    reference = models.CharField(_("申报编号"), max_length=32)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    district_name = models.CharField(_("所在区县"), max_length=32)
    measure_label = models.CharField(_("政策条款"), max_length=300)
    track_name = models.CharField(_("申报类别"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    # Encrypted as the enterprise's is; its keyed hash tells whether the enterprise has
    # changed its account since the bank returned a payment.
    bank_account = EncryptedCharField(_("银行账号"), max_length=32, purpose="bank_account")
    bank_account_hash = KeyedHashField(_("银行账号查找码"), of="bank_account")
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("拨付明细")
        ordering = ["reference"]
        constraints = [
            # Money can leave once only: an application is in at most one batch that is not
            # cancelled (failed lines and those of cancelled batches are released).
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=LineStatus.IN_BATCH),
                name="line_one_live_batch_per_application",
                violation_error_message=_("该申报已在其他拨付批次中。"),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="line_amount_positive"),
        ]
        indexes = [
            # The exports and the batch page read a batch's lines in reference order.
            models.Index(fields=["batch", "status", "reference"], name="line_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.reference}"


class BatchLog(StateLog):
    """One entry per change of a batch: transitions, and lines added or removed in draft."""

    batch = batch_fk("log_entries")
    # Every change of a batch is a person's: finance's.
    actor = person_fk(_("操作人"))
    action = models.CharField(_("操作"), max_length=32)
    from_state, to_state = state_fields(BatchState)

    class Meta(StateLog.Meta):
        verbose_name = verbose_name_plural = _("批次办理记录")

    def __str__(self) -> str:
        # As the application's log reads: when and what, the action by its Chinese name.
        moment = timezone.localtime(self.created_at)
        return f"{moment:%Y-%m-%d %H:%M} {self.action_label}"

    @property
    def action_label(self) -> str:
        return str(BATCH_TRANSITION_LABELS.get(self.action, self.action))

    @property
    def changes_state(self) -> bool:
        """Creating a batch and adding or removing lines leave it a draft: the log reads them
        as what was done, not as 草稿 → 草稿."""
        return self.from_state != self.to_state


class ExportFormat(models.TextChoices):
    # Named for what each file is for: the CSV goes into the bank's payroll import as it is; a
    # spreadsheet opening it damages long account numbers, so people read the XLSX.
    CSV = "csv", _("银行导入文件（CSV）")
    XLSX = "xlsx", _("阅读核对表（XLSX）")


class BatchExport(models.Model):
    """Every file handed out of a batch: who took it, when, and its fingerprint. Written when
    the export starts, completed when its last byte has gone: an export broken off halfway
    is on the record too, without a fingerprint."""

    batch = batch_fk("exports")
    exported_by = person_fk(_("导出人"), null=True, blank=True, help_text=_("为空表示从命令行导出"))
    format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    line_count = models.PositiveIntegerField(_("笔数"))
    total_amount = ExactDecimalField(_("合计金额（元）"), **MONEY)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("导出时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导出记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.format} · {self.sha256[:12] or '—'}"
