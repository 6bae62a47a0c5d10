"""Application windows: the rounds in which a measure, or one track of it, accepts applications."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import measure_fk, track_fk

from ..fields import ExactDecimalField
from ..numbers import AMOUNT_CEILING
from .decimals import MONEY
from .tracks import Track


class ApplicationWindowQuerySet(models.QuerySet):
    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def open_now(self):
        return self.open_at(timezone.now())


class ApplicationWindow(models.Model):
    """A round (批次) in which a measure, or one track of it, accepts applications."""

    measure = measure_fk("windows")
    track = track_fk("windows", null=True, blank=True, help_text=_("留空表示该措施的全部申报类别"))
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("批次名称"), max_length=100)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    total_budget = ExactDecimalField(
        _("预算总额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0
    )
    district_review_days = models.PositiveSmallIntegerField(
        _("区县审核时限（工作日）"),
        default=15,
        help_text=_("自提交次日起按工作日计算（节假日和调休按国务院公布的安排）"),
    )
    municipal_review_days = models.PositiveSmallIntegerField(
        _("市级审核时限（工作日）"),
        default=20,
        help_text=_("自区县审核通过次日起按工作日计算"),
    )
    # The time limit the guide promises applicants: from submission to payment.
    processing_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("自提交之日起至资金拨付的工作日数，在申兑指南中向企业公布"),
    )

    objects = ApplicationWindowQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("申报批次")
        ordering = ["-opens_at", "pk"]
        indexes = [models.Index(fields=["opens_at", "closes_at"], name="window_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(total_budget__gte=0), name="window_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.name}"

    def clean(self) -> None:
        if self.track_id and self.measure_id and self.track.measure_id != self.measure_id:
            raise ValidationError({"track": _("申报类别须属于所选措施。")})
        if self.measure_id and not self.measure.is_funding:
            raise ValidationError({"measure": _("该措施为工作举措，不受理资金申报。")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("截止时间须晚于开始时间。")})
        reviews = (self.district_review_days or 0) + (self.municipal_review_days or 0)
        if self.processing_days is not None and self.processing_days < reviews:
            # Payment comes after both reviews: a shorter promise could never be kept.
            raise ValidationError(
                {
                    "processing_days": _(
                        "办理时限不能短于区县和市级审核时限之和（%(days)s个工作日）。"
                    )
                    % {"days": reviews}
                }
            )

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def covers(self, track: Track) -> bool:
        return track.measure_id == self.measure_id and self.track_id in (None, track.pk)
