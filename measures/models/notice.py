"""The notice itself: the document, its sections, the divisions that own its measures, and the
measures; and the token that changes with every write of policy data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import list_field


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
        verbose_name = verbose_name_plural = _("政策文件")

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
        verbose_name = verbose_name_plural = _("政策数据版本")

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
    industries = list_field(
        _("面向行业"), help_text=_("本章节面向的企业所属行业；用于向企业推荐措施，不是申报条件。")
    )
    scales = list_field(
        _("面向规模"), help_text=_("本章节面向的企业规模；用于向企业推荐措施，不是申报条件。")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("章节")
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
        verbose_name = verbose_name_plural = _("处室")
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
    industries = list_field(
        _("面向行业"), help_text=_("为空时按所属章节；用于向企业推荐措施，不是申报条件。")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("政策措施")
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
