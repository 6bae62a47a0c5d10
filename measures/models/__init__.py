"""The notice, its sections and measures, and each measure's tracks with their rules.

Rules are data: loaded from ``measures/data/policy.toml`` by ``load_policy`` and editable in the
admin. The award calculator (``measures.calculator``) reads them; nothing else encodes a rule.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..fields import ExactDecimalField
from ..numbers import AMOUNT_CEILING, FIGURE_CEILING

MONEY = {"max_digits": 16, "decimal_places": 2}
# A rate is a share of a figure, at most all of it: rate × figure stays within FIGURE_CEILING.
RATE = {"max_digits": 7, "decimal_places": 4, "maximum": 1, "minimum": 0, "money": False}


class PolicyDocument(models.Model):
    document_number = models.CharField(_("文号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    notice_title = models.CharField(_("通知标题"), max_length=300, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    issued_on = models.DateField(_("发文日期"))
    preamble = models.TextField(_("引言"), blank=True)
    # SHA-256 of the data file last loaded (measures/data/policy.toml): the same file is not
    # loaded again over what administrators changed since.
    source_sha256 = models.CharField(_("数据文件校验值"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）"


class PolicyVersion(models.Model):
    """One row whose token changes, in the same transaction, with every write of policy data.

    The public pages and the API cache what they render under this token (``measures.cache``).
    A random token, kept in the database: a rolled-back edit leaves it as it was, and neither a
    flushed cache nor a fresh database can bring back a token that once named other data.
    """

    token = models.CharField(_("版本标识"), max_length=32)

    class Meta:
        verbose_name = _("政策数据版本")
        verbose_name_plural = _("政策数据版本")

    def __str__(self) -> str:
        return self.token


class Section(models.Model):
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("政策文件"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    # Whom the section addresses, in the enterprise profile's terms (Enterprise.Industry and
    # Enterprise.Scale values): the apply page shows first what fits an enterprise. A hint
    # drawn from the section's title, not a condition: eligibility is the tracks' rules.
    industries = models.JSONField(
        _("面向行业"),
        default=list,
        blank=True,
        help_text=_("本章节面向的企业所属行业；用于向企业推荐措施，不是申报条件。"),
    )
    scales = models.JSONField(
        _("面向规模"),
        default=list,
        blank=True,
        help_text=_("本章节面向的企业规模；用于向企业推荐措施，不是申报条件。"),
    )

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="section_unique_number"),
        ]

    NUMERALS = "一二三四五六七八九十"

    def __str__(self) -> str:
        return f"{self.numeral}、{self.title}"

    @property
    def numeral(self) -> str:
        if 0 < self.number <= len(self.NUMERALS):
            return self.NUMERALS[self.number - 1]
        return str(self.number)


class Division(models.Model):
    """A division (处室) of the municipal commission that owns measures and reviews them."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    # Whom an enterprise asks about the measures the division owns, shown in each measure's
    # guide. Kept in the admin, not in the policy file: they change with people and offices,
    # and a load of the file must not undo an administrator's edit.
    contact_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    contact_address = models.CharField(_("办公地址"), max_length=200, blank=True)
    office_hours = models.CharField(
        _("办公时间"),
        max_length=100,
        blank=True,
        help_text=_("例如：工作日 9:00—12:00，14:00—17:00"),
    )

    class Meta:
        verbose_name = _("处室")
        verbose_name_plural = _("处室")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone or self.contact_address or self.office_hours)


class Measure(models.Model):
    class Kind(models.TextChoices):
        FUNDING = "funding", _("资金支持")
        PROGRAMME = "programme", _("工作举措")

    section = models.ForeignKey(
        Section, verbose_name=_("章节"), on_delete=models.PROTECT, related_name="measures"
    )
    number = models.PositiveSmallIntegerField(_("条款号"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    text = models.TextField(_("通知原文"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    division = models.ForeignKey(
        Division,
        verbose_name=_("主管处室"),
        on_delete=models.PROTECT,
        related_name="measures",
        null=True,
        blank=True,
    )
    # A measure addressing only some of its section's industries (第五部分: 装备、材料和消费品)
    # names them; empty, the section's.
    industries = models.JSONField(
        _("面向行业"),
        default=list,
        blank=True,
        help_text=_("为空时按所属章节；用于向企业推荐措施，不是申报条件。"),
    )

    class Meta:
        verbose_name = _("政策措施")
        verbose_name_plural = _("政策措施")
        ordering = ["number"]

    def __str__(self) -> str:
        return _("第%(number)s条 %(title)s") % {"number": self.number, "title": self.title}

    @property
    def is_funding(self) -> bool:
        return self.kind == self.Kind.FUNDING

    def fit(self, *, industry: str, scale: str) -> int:
        """How well the measure addresses an enterprise of ``industry`` and ``scale``: 2 for its
        industry, 1 for its scale, 3 for both, 0 for neither. Reads ``section``."""
        industries = self.industries or self.section.industries
        return 2 * (industry in industries) + (scale in self.section.scales)


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

    measure = models.ForeignKey(
        Measure, verbose_name=_("政策条款"), on_delete=models.PROTECT, related_name="tracks"
    )
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
    required_documents = models.JSONField(_("所需材料"), default=list, blank=True)
    # The track's conditions besides its thresholds, in three kinds (enterprises.matching):
    # what the enterprise's file establishes (a recognition held, its industry) and what it
    # cannot, which the enterprise must confirm in the notice's words.
    recognitions = models.JSONField(
        _("所需认定（任一）"),
        default=list,
        blank=True,
        help_text=_(
            "通知要求企业持有的认定，持有其中任一即可；企业档案中须有申报年度或上一年度获得的该项认定。"
        ),
    )
    industry_codes = models.JSONField(
        _("行业要求（国民经济行业分类）"),
        default=list,
        blank=True,
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
    confirmations = models.JSONField(
        _("须企业确认的条件"),
        default=list,
        blank=True,
        help_text=_(
            "通知规定、但企业档案无法判断的条件（项目类别、申报单位类型等），每行一条，用通知原文表述；"
            "有此类条件的申报类别在可申报政策中列为“可能符合”，并提示企业确认。"
        ),
    )

    class Meta:
        verbose_name = _("申报类别")
        verbose_name_plural = _("申报类别")
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
        from enterprises.industries import DIVISION_NAMES, SECTION_NAMES
        from enterprises.recognitions import Recognition

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

    track = models.ForeignKey(
        Track, verbose_name=_("申报类别"), on_delete=models.CASCADE, related_name="fields"
    )
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
        verbose_name = _("申报字段")
        verbose_name_plural = _("申报字段")
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

    track = models.ForeignKey(
        Track, verbose_name=_("申报类别"), on_delete=models.CASCADE, related_name="thresholds"
    )
    field_name = models.CharField(_("字段名"), max_length=50)
    operator = models.CharField(_("条件"), max_length=8, choices=Operator.choices)
    value = ExactDecimalField(_("门槛值"), **MONEY, money=False, null=True, blank=True)
    text = models.CharField(_("通知表述"), max_length=200)

    class Meta:
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")
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


class ApplicationWindowQuerySet(models.QuerySet):
    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def open_now(self):
        return self.open_at(timezone.now())


class ApplicationWindow(models.Model):
    """A round (批次) in which a measure, or one track of it, accepts applications."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("政策条款"), on_delete=models.PROTECT, related_name="windows"
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("申报类别"),
        on_delete=models.PROTECT,
        related_name="windows",
        null=True,
        blank=True,
        help_text=_("留空表示该措施的全部申报类别"),
    )
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
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
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


class CalendarDay(models.Model):
    """A day of the State Council's holiday schedule (节假日安排): a public holiday (the days
    off of a festival, weekends within it included), or a weekend day worked instead (调休上班).
    Every other day is a working day from Monday to Friday. Working days are counted from this
    table (``measures.workdays``)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, help_text=_("例如：春节"))

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        super().clean()
        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == self.Kind.WORKDAY and not weekend:
            raise ValidationError({"kind": _("调休上班的日子应是周六或周日。")})
