"""公示: approved applications shown to the public for a period, during which anyone may object.

A 公示 has its own state machine (draft → published → closed); every change goes through a
service in ``publicity.services`` that locks the row, checks the permission and writes the log.
Finance may batch an application only once a 公示 holding it has closed without an upheld
objection against it (``disbursements.services.batch_add_applications``).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from measures.fields import ExactDecimalField
from measures.numbers import AMOUNT_CEILING
from policy_portal.encrypted import EncryptedCharField
from policy_portal.fields import application_fk, measure_fk, who_and_when, window_fk
from policy_portal.logs import StateLog, state_fields

from . import permissions

DEFAULT_PERIOD_WORKDAYS = 5


class PublicityState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("公示中")
    CLOSED = "closed", _("公示结束")


PUBLICITY_ACTIONS = {
    "create": _("创建公示"),
    "publish": _("发布公示"),
    "close": _("结束公示"),
    "objection_dismissed": _("异议不成立"),
    "objection_upheld": _("异议成立"),
}


class Publicity(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(_("标题"), max_length=200)
    window = window_fk("publicities")
    measure = measure_fk("publicities")
    # The 公示 of one window and measure are numbered from 1 (第N期), in the order created.
    number = models.PositiveSmallIntegerField(_("期数"), default=1, editable=False)
    period_workdays = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=DEFAULT_PERIOD_WORKDAYS
    )
    how_to_object = models.TextField(
        _("异议方式"),
        default=_(
            "公示期内，对公示内容有异议的，可在本页提交异议，写明姓名、联系方式和具体理由；"
            "也可向重庆市经济和信息化委员会书面反映。"
        ),
    )
    state = FSMField(
        _("状态"),
        default=PublicityState.DRAFT,
        choices=PublicityState.choices,
        protected=True,
        db_index=True,
    )
    created_by, created_at = who_and_when(_("创建人"), _("创建时间"))
    published_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("公示")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "measure", "number"], name="publicity_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_state_display(self) -> str:
        return str(PublicityState(self.state).label)

    def is_open_for_objections(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.state == PublicityState.PUBLISHED
            and self.ends_at is not None
            and now <= self.ends_at
        )

    def _period_over(self) -> bool:
        return self.ends_at is not None and self.ends_at <= (
            getattr(self, "clock", None) or timezone.now()
        )

    def _objections_decided(self) -> bool:
        return not self.objections.filter(outcome=Objection.Outcome.PENDING).exists()

    @transition(
        field=state,
        source=PublicityState.DRAFT,
        target=PublicityState.PUBLISHED,
        permission=permissions.is_administrator,
    )
    def publish(self, *, at):
        from measures.workdays import due_after_workdays

        self.published_at = at
        self.ends_at = due_after_workdays(at, self.period_workdays)

    @transition(
        field=state,
        source=PublicityState.PUBLISHED,
        target=PublicityState.CLOSED,
        permission=permissions.may_close,
        conditions=[_period_over, _objections_decided],
    )
    def close(self, *, at):
        self.closed_at = at


class PublicityEntry(models.Model):
    """One approved application shown in a 公示, with what the public sees of it copied at
    creation: the 公示 says what was approved then."""

    publicity = models.ForeignKey(
        Publicity, on_delete=models.CASCADE, related_name="entries", verbose_name=_("公示")
    )
    application = application_fk("publicity_entries")
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    measure_label = models.CharField(_("政策条款"), max_length=200)
    track_name = models.CharField(_("申报类别"), max_length=200)
    approved_amount = ExactDecimalField(
        _("核定金额（元）"), max_digits=14, decimal_places=2, maximum=AMOUNT_CEILING, minimum=0
    )
    # Set when an objection against this line is upheld: the application went back to review.
    objection_upheld = models.BooleanField(_("异议成立"), default=False)

    # Said instead of the amount, on the public page and in the admin, of a line whose
    # objection was upheld: the amount was not confirmed.
    UPHELD_TEXT = _("异议成立，已退回复核")

    class Meta:
        verbose_name = verbose_name_plural = _("公示名单")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publicity", "application"], name="publicity_entry_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["application"],
                condition=Q(objection_upheld=False),
                name="publicity_entry_clear_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} · {self.track_name}"


class Objection(models.Model):
    """An objection (异议) lodged by anyone against one line of a published 公示."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理")
        DISMISSED = "dismissed", _("异议不成立")
        UPHELD = "upheld", _("异议成立")

    publicity = models.ForeignKey(
        Publicity, on_delete=models.CASCADE, related_name="objections", verbose_name=_("公示")
    )
    entry = models.ForeignKey(
        PublicityEntry,
        on_delete=models.CASCADE,
        related_name="objections",
        verbose_name=_("异议对象"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    # Personal data, encrypted at rest and shown masked (policy_portal.masking.mask_contact).
    contact = EncryptedCharField(_("联系方式"), max_length=100, purpose="contact")
    text = models.TextField(_("异议内容"), max_length=2000)
    lodged_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    outcome = models.CharField(
        _("处理结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_comment = models.TextField(_("处理意见"), blank=True)
    decided_by, decided_at = who_and_when(_("处理人"), _("处理时间"), optional=True)

    class Meta:
        verbose_name = verbose_name_plural = _("异议")
        ordering = ["-lodged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entry.enterprise_name} · {self.name}"


class PublicityLog(StateLog):
    """One entry per change of a 公示: who, which action, from and to which state, why."""

    publicity = models.ForeignKey(
        Publicity, on_delete=models.PROTECT, related_name="log_entries", verbose_name=_("公示")
    )
    action = models.CharField(_("操作"), max_length=32, choices=PUBLICITY_ACTIONS.items())
    from_state, to_state = state_fields(PublicityState)

    class Meta(StateLog.Meta):
        verbose_name = verbose_name_plural = _("公示记录")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.get_action_display()}"
