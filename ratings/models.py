"""Enterprises' ratings of the service, one per application, once it is paid or rejected.

``stage`` records where the application's handling ended (paid, or rejected at the district
or the municipal level), so that administrators read the ratings per stage as well as per
measure and district.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import application_fk, who_and_when


class RatingStage(models.TextChoices):
    DISBURSED = "disbursed", _("已拨付")
    DISTRICT_REJECTED = "district_rejected", _("区县审核不通过")
    MUNICIPAL_REJECTED = "municipal_rejected", _("市级审核不通过")


class Rating(models.Model):
    application = application_fk("rating", on_delete=models.CASCADE, one_to_one=True)
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("意见建议"), blank=True, max_length=1000)
    stage = models.CharField(_("评价环节"), max_length=20, choices=RatingStage.choices)
    rated_by, created_at = who_and_when(_("评价人"), _("评价时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("服务评价")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return _("%(reference)s 的服务评价") % {"reference": self.application.reference_label}

    @property
    def score_label(self) -> str:
        """What the score means in words: 非常满意 for 5."""
        return str(SCORE_LABELS.get(self.score, ""))


# The transitions after which the enterprise is invited to rate, and the stage each ends at.
STAGE_BY_TRANSITION = {
    "disburse": RatingStage.DISBURSED,
    "district_reject": RatingStage.DISTRICT_REJECTED,
    "municipal_reject": RatingStage.MUNICIPAL_REJECTED,
}
COMMENT_MAX_LENGTH = 1000
SCORE_LABELS = {
    1: _("非常不满意"),
    2: _("不满意"),
    3: _("一般"),
    4: _("满意"),
    5: _("非常满意"),
}
