"""The reviewers' decisions on the applications, one per stage reviewed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from measures.fields import ExactDecimalField
from measures.models import MONEY
from measures.numbers import AMOUNT_CEILING
from policy_portal.fields import application_fk, log_entry_fk, person_fk
from policy_portal.logs import LogEntry


class Review(LogEntry):
    """One reviewer's decision on an application at one stage; never changed once made."""

    class Stage(models.TextChoices):
        DISTRICT = "district", _("区县审核")
        MUNICIPAL = "municipal", _("市级审核")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不通过")

    application = application_fk("reviews")
    reviewer = person_fk(_("审核人"))
    stage = models.CharField(_("审核环节"), max_length=16, choices=Stage.choices)
    decision = models.CharField(_("审核结论"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    comment_public = models.BooleanField(_("对企业公开"), default=True)
    amount = ExactDecimalField(
        _("金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )
    log_entry = log_entry_fk("review", one_to_one=True)

    class Meta(LogEntry.Meta):
        verbose_name = verbose_name_plural = _("审核意见")
        indexes = [
            models.Index(fields=["application", "created_at"], name="review_application_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.get_decision_display()}"
