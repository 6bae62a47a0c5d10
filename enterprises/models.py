"""The enterprises with their file (一企一档: recognitions held and yearly figures), and the
people who use the portal: enterprises' users and officials."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from departments.models import DepartmentFigure, DepartmentRecognition
from measures.audience import Industry, Scale
from measures.fields import ExactDecimalField
from measures.industries import division_belongs_to, division_choices, section_choices
from measures.recognitions import Recognition
from policy_portal.encrypted import EncryptedCharField, KeyedHashesKept, KeyedHashField
from policy_portal.fields import application_fk, enterprise_fk, who_and_when

from .districts import District
from .validators import (
    normalize_credit_code,
    validate_credit_code,
    validate_no_bidi_controls,
)

phone_validator = RegexValidator(
    r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", _("请输入11位手机号或带区号的固定电话，例如 023-63890000。")
)
bank_account_validator = RegexValidator(r"^\d{8,32}$", _("银行账号应为8至32位数字。"))


class Enterprise(KeyedHashesKept, models.Model):
    # The notice's audience groups, defined with the measures that aim at them.
    Industry = Industry
    Scale = Scale

    name = models.CharField(_("企业名称"), max_length=200, validators=[validate_no_bidi_controls])
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    district = models.CharField(
        _("所在区县"), max_length=8, choices=District.choices, db_index=True
    )
    industry = models.CharField(_("所属行业"), max_length=32, choices=Industry.choices)
    scale = models.CharField(_("企业规模"), max_length=16, choices=Scale.choices)
    # 国民经济行业分类 (GB/T 4754-2017), for matching; ``industry`` stays the notice's groups.
    industry_section = models.CharField(
        _("国民经济行业门类"), max_length=1, choices=section_choices, blank=True
    )
    industry_division = models.CharField(
        _("国民经济行业大类"),
        max_length=2,
        choices=division_choices,
        blank=True,
        help_text=_("按《国民经济行业分类》（GB/T 4754-2017），大类须属于所选门类。"),
    )
    contact_name = models.CharField(
        _("联系人"), max_length=50, validators=[validate_no_bidi_controls]
    )
    # Personal data, encrypted at rest (policy_portal.crypto); the account's keyed hash lets
    # the site compare it with a batch's snapshot and find it by value.
    contact_phone = EncryptedCharField(
        _("联系电话"), max_length=20, validators=[phone_validator], purpose="phone"
    )
    bank_name = models.CharField(
        _("开户银行"), max_length=100, blank=True, validators=[validate_no_bidi_controls]
    )
    bank_account = EncryptedCharField(
        _("银行账号"),
        max_length=32,
        blank=True,
        validators=[bank_account_validator],
        purpose="bank_account",
    )
    bank_account_hash = KeyedHashField(_("银行账号查找码"), of="bank_account")
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalize_credit_code(self.credit_code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.industry_division and not division_belongs_to(
            self.industry_division, self.industry_section
        ):
            raise ValidationError(
                {"industry_division": _("所选行业大类不属于所选门类，请重新选择。")}
            )

    @property
    def has_payout_account(self) -> bool:
        return bool(self.bank_name and self.bank_account)


class User(KeyedHashesKept, AbstractUser):
    """A person: an enterprise's user, or an official bound to a district or divisions."""

    enterprise = enterprise_fk("users", verbose_name=_("所属企业"), null=True, blank=True)
    district = models.CharField(
        _("负责区县"),
        max_length=8,
        choices=District.choices,
        blank=True,
        help_text=_("区县审核员只能看到本区县企业的申报。"),
    )
    divisions = models.ManyToManyField(
        "measures.Division",
        verbose_name=_("所属处室"),
        blank=True,
        related_name="reviewers",
        help_text=_("市级审核员只能看到本处室主管措施的申报。"),
    )
    phone = EncryptedCharField(
        _("手机号"), max_length=20, blank=True, validators=[phone_validator], purpose="phone"
    )
    # Administrators find an official by the whole number.
    phone_hash = KeyedHashField(_("手机号查找码"), of="phone")
    email_notifications = models.BooleanField(
        _("接收邮件通知"),
        default=True,
        help_text=_("站内通知始终保留；关闭后不再发送邮件。"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"
        # 个人信息查阅/复制 and 删除/匿名化 of another person (enterprises/personal_data.py).
        permissions = [
            ("export_personal_data", _("导出个人信息")),
            ("anonymise_user", _("匿名化个人信息")),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the site names a person: by name, the username only for an account without one."""
        return self.get_full_name() or self.username


class StaffMemberManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(is_staff=True)


class StaffMember(User):
    """An official or an administrator: the people who work in the admin, managed by role."""

    objects = StaffMemberManager()

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = _("工作人员")
        # 三员分立: the security administrator's, never the system administrator's.
        permissions = [
            ("assign_role", _("分配角色与范围")),
            ("reset_password", _("重设他人密码")),
        ]


# The years a file holds: from the notice's time to the year after the current one at most
# (checked in the forms, which know the date).
FILE_FIRST_YEAR = 2000
FILE_LAST_YEAR = 2100
file_year_validators = [MinValueValidator(FILE_FIRST_YEAR), MaxValueValidator(FILE_LAST_YEAR)]


class EnterpriseRecognition(models.Model):
    """A recognition (认定) the enterprise holds, by the year it was granted: 一企一档."""

    enterprise = enterprise_fk("recognitions", on_delete=models.CASCADE)
    kind = models.CharField(_("认定名称"), max_length=40, choices=Recognition.choices)
    year = models.PositiveSmallIntegerField(_("认定年度"), validators=file_year_validators)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("企业认定")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "year"], name="recognition_once_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"


class EnterpriseFigure(models.Model):
    """One of the figures the notice's tracks ask about (a TrackField name), for one year.

    The value is held in the column of its field's type: amounts and counts exactly in
    ``decimal_value``, yes/no in ``boolean_value``, descriptions in ``text_value``.
    """

    enterprise = enterprise_fk("figures", on_delete=models.CASCADE)
    name = models.SlugField(_("字段名"), max_length=50)
    year = models.PositiveSmallIntegerField(_("年度"), validators=file_year_validators)
    # Within 10万亿 (each figure's own ceiling is its TrackField's): read back exactly.
    decimal_value = ExactDecimalField(
        _("数值"), max_digits=16, decimal_places=2, money=False, null=True, blank=True
    )
    boolean_value = models.BooleanField(_("是/否"), null=True, blank=True)
    text_value = models.CharField(_("文本"), max_length=200, blank=True)
    source_application = application_fk(
        "+",
        verbose_name=_("来源申报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("从已批准的申报保存时记录；企业自行填写时为空。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("企业年度数据")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name", "year"], name="figure_once_per_name_year"
            ),
            models.CheckConstraint(
                condition=Q(decimal_value__isnull=False)
                | Q(boolean_value__isnull=False)
                | ~Q(text_value=""),
                name="figure_has_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def value(self):
        if self.decimal_value is not None:
            return self.decimal_value
        if self.boolean_value is not None:
            return self.boolean_value
        return self.text_value


class DepartmentDisagreement(models.Model):
    """An enterprise's report that a department's word about it is wrong (对部门数据有异议): a
    figure (a number or a yes/no) or a recognition held or not, with the value it holds to be
    right and why. The administrators answer it; the department's data itself never changes
    through it (a department corrects its data by a new import)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待处理")
        ANSWERED = "answered", _("已答复")

    enterprise = enterprise_fk("disagreements", on_delete=models.CASCADE)
    # What is disputed: a figure or a recognition, exactly one.
    figure = models.ForeignKey(
        DepartmentFigure,
        verbose_name=_("部门数据"),
        on_delete=models.PROTECT,
        related_name="disagreements",
        null=True,
        blank=True,
    )
    recognition = models.ForeignKey(
        DepartmentRecognition,
        verbose_name=_("部门认定数据"),
        on_delete=models.PROTECT,
        related_name="disagreements",
        null=True,
        blank=True,
    )
    # The value held to be right: a number for a number figure, yes/no for a yes/no figure or
    # a recognition (held or not), exactly one.
    claimed_value = ExactDecimalField(
        _("企业认为的数值"), max_digits=16, decimal_places=2, money=False, null=True, blank=True
    )
    claimed_boolean = models.BooleanField(_("企业认为的是/否"), null=True, blank=True)
    reason = models.TextField(_("异议理由"), max_length=500)
    reported_by, reported_at = who_and_when(_("提出人"), _("提出时间"))
    state = FSMField(_("状态"), default=State.PENDING, choices=State.choices)
    answer = models.TextField(_("答复"), max_length=1000, blank=True)
    answered_by, answered_at = who_and_when(_("答复人"), _("答复时间"), optional=True)

    class Meta:
        verbose_name = verbose_name_plural = _("部门数据异议")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "-reported_at"], name="disagreement_enterprise_idx"),
            models.Index(fields=["state", "-reported_at"], name="disagreement_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(figure__isnull=False, recognition__isnull=True)
                | Q(figure__isnull=True, recognition__isnull=False),
                name="disagreement_one_target",
            ),
            models.CheckConstraint(
                condition=Q(claimed_value__isnull=False, claimed_boolean__isnull=True)
                | Q(claimed_value__isnull=True, claimed_boolean__isnull=False),
                name="disagreement_one_claim",
            ),
            # A recognition is held or not: its claim is a yes/no.
            models.CheckConstraint(
                condition=Q(recognition__isnull=True) | Q(claimed_boolean__isnull=False),
                name="disagreement_recognition_yes_no",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.target.year} {self.target_label}"

    def clean(self):
        super().clean()
        # The claim's column is the one matching what is disputed (the database checks the
        # rest; it cannot read the figure's kind).
        if self.figure_id is not None and self.figure.decimal_value is not None:
            if self.claimed_value is None or self.claimed_boolean is not None:
                raise ValidationError({"claimed_value": _("请填写企业认为的数值。")})
        elif self.claimed_boolean is None or self.claimed_value is not None:
            raise ValidationError({"claimed_boolean": _("请选择是或否。")})

    @property
    def target(self):
        """The department's figure or recognition disputed."""
        return self.figure if self.figure_id is not None else self.recognition

    @property
    def target_label(self) -> str:
        """The recognition's name, or the figure's label where the query read it (the admin
        does), else its source's name."""
        if self.recognition_id is not None:
            return self.recognition.get_kind_display()
        return getattr(self, "figure_label", None) or self.figure.source.name

    @property
    def claimed(self):
        """The value held to be right: a Decimal or a bool."""
        return self.claimed_value if self.claimed_value is not None else self.claimed_boolean

    @transition(field=state, source=State.PENDING, target=State.ANSWERED)
    def reply(self) -> None:
        """Answered: the answer, who and when are set by ``services.disagreement_answer``."""
