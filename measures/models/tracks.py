"""Each measure's tracks (申报类别) with their award rule, the figures an application declares,
and the thresholds those figures must meet."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import list_field, measure_fk, track_fk

from ..fields import ExactDecimalField
from ..numbers import AMOUNT_CEILING, FIGURE_CEILING
from .decimals import MONEY, RATE


class Track(models.Model):
    """A category of application (申报类别) within a measure, with its award rule.

    amount = clamp(rate × base, floor, cap) for formula tracks, where base is the declared
    ``base_field``, counted at most ``base_limit_rate`` × ``base_limit_field`` when set
    (measure 11: the premium counted at most 3% of the insured amount). Range tracks leave the
    amount to the reviewers within [floor, cap].
    """

    class AwardKind(models.TextChoices):
        FORMULA = "formula", _("按公式计算")
        RANGE = "range", _("审核确定")

    class CapPeriod(models.TextChoices):
        APPLICATION = "application", _("每次申报")
        YEAR = "year", _("每年")
        PROJECT = "project", _("单个项目")
        PRODUCT_YEAR = "product_year", _("单个产品每年")

    measure = measure_fk("tracks")
    code = models.SlugField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("适用对象"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    award_kind = models.CharField(_("奖补方式"), max_length=16, choices=AwardKind.choices)
    rate = ExactDecimalField(_("比例"), **RATE, null=True, blank=True)
    base_field = models.CharField(_("计算基数字段"), max_length=50, blank=True)
    base_limit_rate = ExactDecimalField(_("基数上限比例"), **RATE, null=True, blank=True)
    base_limit_field = models.CharField(_("基数上限字段"), max_length=50, blank=True)
    floor = ExactDecimalField(
        _("下限（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )
    cap = ExactDecimalField(
        _("上限（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )
    cap_period = models.CharField(
        _("上限口径"), max_length=16, choices=CapPeriod.choices, default=CapPeriod.APPLICATION
    )
    rounding = models.CharField(
        _("取整到分"),
        max_length=16,
        choices=[("half_up", _("四舍五入")), ("down", _("舍去（不超过）"))],
        default="half_up",
        help_text=_("通知写“不超过”某比例时舍去不足一分的部分，金额不超过该比例。"),
    )
    rule_text = models.TextField(_("通知关于奖补的表述"))
    required_documents = list_field(_("所需材料"))
    # The track's conditions besides its thresholds, in three kinds (enterprises.matching):
    # what the enterprise's file establishes (a recognition held, its industry) and what it
    # cannot, which the enterprise must confirm in the notice's words.
    recognitions = list_field(
        _("所需认定（任一）"),
        help_text=_(
            "通知要求企业持有的认定，持有其中任一即可；企业档案中须有申报年度或上一年度获得的该项认定。"
        ),
    )
    industry_codes = list_field(
        _("行业要求（国民经济行业分类）"),
        help_text=_(
            "通知限定的行业：门类（字母）或大类（两位数字），企业档案中的行业属于其中之一即可。"
        ),
    )
    industry_text = models.CharField(
        _("行业要求的通知表述"),
        max_length=100,
        blank=True,
        help_text=_("例如：工业企业。设置了行业要求时必填。"),
    )
    confirmations = list_field(
        _("须企业确认的条件"),
        help_text=_(
            "通知规定、但企业档案无法判断的条件（项目类别、申报单位类型等），每行一条，用通知原文表述；"
            "有此类条件的申报类别在可申报政策中列为“可能符合”，并提示企业确认。"
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("申报类别")
        ordering = ["measure__number", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "code"], name="track_unique_code"),
            models.CheckConstraint(
                condition=Q(award_kind="range") | (Q(rate__isnull=False) & ~Q(base_field="")),
                name="track_formula_has_rate_and_base",
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=True)
                | Q(cap__isnull=True)
                | Q(floor__lte=models.F("cap")),
                name="track_floor_not_above_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.name}"

    def __getstate__(self):
        # The figures form built for this object (measures.forms) is a class made at run time:
        # not something to pickle into a cache.
        state = super().__getstate__()
        state.pop("_declared_form_class", None)
        return state

    @property
    def is_formula(self) -> bool:
        return self.award_kind == self.AwardKind.FORMULA

    def clean(self) -> None:
        names = set(self.fields.values_list("name", flat=True)) if self.pk else set()
        if self.is_formula:
            if self.rate is None or not self.base_field:
                raise ValidationError(_("按公式计算的类别须设置比例和计算基数字段。"))
            if self.pk and self.base_field not in names:
                raise ValidationError({"base_field": _("计算基数字段须为本类别的申报字段。")})
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValidationError(_("下限不能高于上限。"))
        self._clean_conditions()

    def _clean_conditions(self) -> None:
        from ..industries import DIVISION_NAMES, SECTION_NAMES
        from ..recognitions import Recognition

        errors = {}
        unknown = [kind for kind in self.recognitions or [] if kind not in Recognition.values]
        if unknown:
            errors["recognitions"] = _("未知的认定：%(kinds)s") % {"kinds": "、".join(unknown)}
        unknown = [
            code
            for code in self.industry_codes or []
            if code not in SECTION_NAMES and code not in DIVISION_NAMES
        ]
        if unknown:
            errors["industry_codes"] = _("未知的国民经济行业门类或大类：%(codes)s") % {
                "codes": "、".join(map(str, unknown))
            }
        if self.industry_codes and not self.industry_text.strip():
            errors["industry_text"] = _("设置了行业要求时，须填写通知关于行业的表述。")
        if any(not isinstance(text, str) or not text.strip() for text in self.confirmations or []):
            errors["confirmations"] = _("须企业确认的条件每条都须是通知原文的表述，不能为空。")
        if errors:
            raise ValidationError(errors)


class TrackField(models.Model):
    """A figure an application of this track declares."""

    class FieldType(models.TextChoices):
        DECIMAL = "decimal", _("数值")
        INTEGER = "integer", _("整数")
        BOOLEAN = "boolean", _("是/否")
        TEXT = "text", _("文本")

    track = track_fk("fields", on_delete=models.CASCADE)
    name = models.SlugField(_("字段名"), max_length=50)
    label = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    field_type = models.CharField(_("类型"), max_length=16, choices=FieldType.choices)
    required = models.BooleanField(_("必填"), default=True)
    minimum = ExactDecimalField(_("最小值"), **MONEY, money=False, null=True, blank=True)
    maximum = ExactDecimalField(
        _("最大值"),
        **MONEY,
        money=False,
        null=True,
        blank=True,
        help_text=_("高于此值的填报不被接受；留空为10万亿（元）。"),
    )
    # The enterprise's file keeps a figure to 2 decimal places (EnterpriseFigure).
    decimal_places = models.PositiveSmallIntegerField(
        _("小数位数"), default=2, validators=[MaxValueValidator(2)]
    )
    help_text = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("申报字段")
        ordering = ["track", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["track", "name"], name="trackfield_unique_name"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_money(self) -> bool:
        return self.field_type == self.FieldType.DECIMAL and self.unit == "元"

    @property
    def ceiling(self) -> Decimal:
        """The most this figure may be: its own maximum, else 10万亿 (what any figure may be)."""
        return FIGURE_CEILING if self.maximum is None else self.maximum

    def clean(self) -> None:
        if self.minimum is not None and self.minimum > self.ceiling:
            raise ValidationError({"maximum": _("最大值不能低于最小值。")})


class EligibilityThreshold(models.Model):
    """A condition the declared figures must meet, in the notice's words."""

    class Operator(models.TextChoices):
        GTE = "gte", _("不低于")
        GT = "gt", _("高于")
        TRUE = "true", _("须为是")

    track = track_fk("thresholds", on_delete=models.CASCADE)
    field_name = models.CharField(_("字段名"), max_length=50)
    operator = models.CharField(_("条件"), max_length=8, choices=Operator.choices)
    value = ExactDecimalField(_("门槛值"), **MONEY, money=False, null=True, blank=True)
    text = models.CharField(_("通知表述"), max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = _("申报条件")
        ordering = ["track", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "field_name", "operator"], name="threshold_unique_condition"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def is_met(self, value) -> bool:
        if self.operator == self.Operator.TRUE:
            return value is True
        if value is None or isinstance(value, bool):
            return False
        if self.operator == self.Operator.GTE:
            return Decimal(value) >= self.value
        return Decimal(value) > self.value
