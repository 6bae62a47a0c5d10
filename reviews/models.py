from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.fields import ExactDecimalField
from measures.models import MONEY
from measures.numbers import AMOUNT_CEILING
from policy_portal.logs import AppendOnlyModel


class Review(AppendOnlyModel):
    """One reviewer's decision on an application at one stage; never changed once made."""

    class Stage(models.TextChoices):
        DISTRICT = "district", _("区县审核")
        MUNICIPAL = "municipal", _("市级审核")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不通过")

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("申报"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(_("审核环节"), max_length=16, choices=Stage.choices)
    decision = models.CharField(_("审核结论"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    comment_public = models.BooleanField(_("对企业公开"), default=True)
    amount = ExactDecimalField(
        _("金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )
    log_entry = models.OneToOneField(
        "applications.TransitionLog",
        verbose_name=_("办理记录"),
        on_delete=models.PROTECT,
        related_name="review",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["application", "created_at"], name="review_application_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.get_decision_display()}"
