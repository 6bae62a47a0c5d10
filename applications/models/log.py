"""The append-only log of transitions, and the outbox of its notifications still to deliver."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.fields import ExactDecimalField
from measures.models import MONEY
from measures.numbers import AMOUNT_CEILING
from policy_portal.fields import application_fk, log_entry_fk, person_fk
from policy_portal.logs import StateLog, state_fields

from .states import TRANSITION_LABELS, State


class TransitionLog(StateLog):
    """One entry per transition: who took it, from and to which state, why, with what amount."""

    application = application_fk("log_entries")
    actor = person_fk(_("操作人"), null=True, blank=True, help_text=_("为空表示系统自动操作"))
    # Choices so that the admin's list, filter and page show what people call each step.
    transition = models.CharField(_("操作"), max_length=32, choices=TRANSITION_LABELS.items())
    from_state, to_state = state_fields(State, max_length=20)
    comment = models.TextField(_("意见"), blank=True)
    comment_public = models.BooleanField(_("对企业公开"), default=True)
    amount = ExactDecimalField(
        _("金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )

    class Meta(StateLog.Meta):
        verbose_name = verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["application", "created_at"], name="log_application_idx")]

    def __str__(self) -> str:
        # Without the application's reference: naming a log entry must not cost a query.
        moment = timezone.localtime(self.created_at)
        return f"{moment:%Y-%m-%d %H:%M} {self.action_label}（{self.from_state_label} → {self.to_state_label}）"

    @property
    def from_state_label(self) -> str:
        return State(self.from_state).label

    @property
    def to_state_label(self) -> str:
        return State(self.to_state).label

    @property
    def action_label(self) -> str:
        return str(TRANSITION_LABELS.get(self.transition, self.to_state_label))


class OutboxEvent(models.Model):
    """A log entry whose notifications are still to be delivered: written in the transaction of
    the transition, so that what commits is announced and what rolls back is not, whether or
    not the broker answers at that moment. Delivery marks it done; a periodic task hands on
    whatever is left undelivered."""

    log_entry = log_entry_fk("outbox_event", one_to_one=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Taken by a worker delivering it until then; a worker that dies leaves it to the next.
    claimed_until = models.DateTimeField(_("投递中至"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("投递次数"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("待发通知")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.log_entry_id}: {'done' if self.delivered_at else 'pending'}"
