"""部门数据: the figures and recognitions the departments (统计局, 税务局, 经信委认定, …) hold
about enterprises, imported in batches and kept by credit code, whether or not the enterprise
has registered yet.

Rows are never updated in place. A batch that gives a value for a key (source, credit code,
name or kind, year) writes a row of its own and the row that was current before stops being
so; rolling a batch back makes its rows not current and makes current again, for each key whose
current row was the batch's, the row of the latest earlier batch that was not rolled back. So
the current row of a key is always the row of the latest batch still standing that gave it."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from measures.fields import ExactDecimalField
from measures.models.decimals import RATE
from measures.recognitions import Recognition
from policy_portal.fields import person_fk
from policy_portal.logs import StateLog, state_fields

FIRST_YEAR = 2000
LAST_YEAR = 2100
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


class DataSource(models.Model):
    """A department that gives data, with the years its data covers."""

    name = models.CharField(_("部门名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    description = models.TextField(_("说明"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("起始年度"), validators=year_validators)
    last_year = models.PositiveSmallIntegerField(
        _("截止年度"),
        validators=year_validators,
        null=True,
        blank=True,
        help_text=_("留空表示至今仍提供数据。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("数据来源部门")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=models.F("first_year")),
                name="source_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, year: int, *, this_year: int) -> bool:
        last = self.last_year if self.last_year is not None else this_year
        return self.first_year <= year <= last


class SourceField(models.Model):
    """A column of the department's file and what it gives to the enterprise's file: a figure
    (a declared-field name of the policy data) or a recognition (是/否 for the row's year)."""

    source = models.ForeignKey(
        DataSource, verbose_name=_("数据来源部门"), on_delete=models.CASCADE, related_name="fields"
    )
    header = models.CharField(
        _("列名"), max_length=60, help_text=_("部门文件中该列的表头，例如“营业收入”。")
    )
    figure_name = models.SlugField(
        _("对应档案数据"),
        max_length=50,
        blank=True,
        help_text=_("政策数据中的字段；与“对应认定”二选一。"),
    )
    recognition = models.CharField(
        _("对应认定"), max_length=40, choices=Recognition.choices, blank=True
    )
    tolerance = ExactDecimalField(
        _("允许差异"),
        **RATE,
        default=Decimal("0.01"),
        help_text=_("企业自报数据与部门数据的相对差异超过此比例时标记不一致，例如 0.01 即 1%。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("部门数据字段")
        ordering = ["source", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "header"], name="source_header_once"),
            models.UniqueConstraint(
                fields=["source", "figure_name"],
                condition=~Q(figure_name=""),
                name="source_figure_once",
            ),
            models.UniqueConstraint(
                fields=["source", "recognition"],
                condition=~Q(recognition=""),
                name="source_recognition_once",
            ),
            models.CheckConstraint(
                condition=(Q(figure_name="") & ~Q(recognition=""))
                | (~Q(figure_name="") & Q(recognition="")),
                name="source_field_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.header

    @property
    def target(self) -> str:
        return self.figure_name or self.recognition


class ImportBatch(models.Model):
    """One import of a department's data: a file an administrator uploaded (or, later, a
    delivery of the department's API), with what it changed; rolled back as a whole."""

    class Channel(models.TextChoices):
        FILE = "file", _("文件导入")
        API = "api", _("接口推送")

    source = models.ForeignKey(
        DataSource, verbose_name=_("数据来源部门"), on_delete=models.PROTECT, related_name="batches"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(
        _("文件"), upload_to="department-imports/%Y/", max_length=200, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    external_id = models.CharField(
        _("部门批次号"),
        max_length=64,
        blank=True,
        help_text=_("接口推送时部门给出的批次号。"),
    )
    created_by = person_fk(_("导入人"), null=True, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增项"), default=0)
    changed_count = models.PositiveIntegerField(_("变更项"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变项"), default=0)
    refused_count = models.PositiveIntegerField(_("拒绝行"), default=0)
    report = models.JSONField(
        _("导入报告"), default=dict, blank=True, help_text=_("拒绝的行及原因（最多前若干行）。")
    )
    rolled_back_by = person_fk(_("回退人"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("回退时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="batch_external_id_once_per_source",
            ),
        ]
        permissions = [("rollback_importbatch", _("回退导入批次"))]

    def __str__(self) -> str:
        return _("%(source)s · 批次号%(number)s") % {"source": self.source.name, "number": self.pk}

    @property
    def is_rolled_back(self) -> bool:
        return self.rolled_back_at is not None


class DepartmentRow(models.Model):
    """What a department's figure and recognition share: the batch that gave it, and whose."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("导入批次"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        DataSource, verbose_name=_("数据来源部门"), on_delete=models.PROTECT, related_name="+"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    row = models.PositiveIntegerField(_("行号"), default=0, help_text=_("在部门文件中的行号。"))
    current = models.BooleanField(_("当前有效"), default=True)

    class Meta:
        abstract = True


class DepartmentFigure(DepartmentRow):
    """A figure a department gives for an enterprise and year."""

    name = models.SlugField(_("字段名"), max_length=50)
    decimal_value = ExactDecimalField(
        _("数值"), max_digits=16, decimal_places=2, money=False, null=True, blank=True
    )
    boolean_value = models.BooleanField(_("是/否"), null=True, blank=True)
    text_value = models.CharField(_("文本"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("部门年度数据")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "credit_code", "name", "year"],
                condition=Q(current=True),
                name="department_figure_current_once",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "current"], name="department_figure_batch"),
        ]

    def __str__(self) -> str:
        # The figure's label where the query read it (the admin does), else its name.
        label = getattr(self, "figure_label", None) or self.name
        return f"{self.credit_code} {self.year} {label}"

    @property
    def value(self):
        if self.decimal_value is not None:
            return self.decimal_value
        if self.boolean_value is not None:
            return self.boolean_value
        return self.text_value


class DepartmentRecognition(DepartmentRow):
    """A department's word on whether an enterprise holds a recognition of a year: 是 gives it
    to the file, 否 says the enterprise does not hold it."""

    kind = models.CharField(_("认定名称"), max_length=40, choices=Recognition.choices)
    held = models.BooleanField(_("是否获得"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("部门认定数据")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "credit_code", "kind", "year"],
                condition=Q(current=True),
                name="department_recognition_current_once",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "current"], name="department_recognition_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_code} {self.year} {self.get_kind_display()}"


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("排队等待预览")
    PREVIEWING = "previewing", _("正在预览")
    PREVIEWED = "previewed", _("待确认导入")
    APPLYING = "applying", _("正在导入")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("未能导入")


IMPORT_JOB_ACTIONS = {
    "upload": _("上传文件"),
    "start_preview": _("开始预览"),
    "finish_preview": _("完成预览"),
    "confirm": _("确认导入"),
    "finish_apply": _("完成导入"),
    "fail": _("导入失败"),
}


def may_confirm_import(job: "ImportJob", user) -> bool:
    """The person who uploaded the file confirms its import, while they may import."""
    return user.pk == job.requested_by_id and user.has_perm("departments.add_importbatch")


class ImportJob(ConcurrentTransitionMixin, models.Model):
    """A file an administrator uploaded, previewed and applied by the worker
    (``departments.jobs``): the staged copy, the preview's counts and report, the batch the
    confirmed import wrote. Its ``state`` changes only through the transitions below."""

    source = models.ForeignKey(
        DataSource, verbose_name=_("数据来源部门"), on_delete=models.PROTECT, related_name="+"
    )
    staged_name = models.CharField(_("暂存文件"), max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    requested_by = person_fk(_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    state = FSMField(
        _("状态"),
        default=ImportJobState.QUEUED,
        choices=ImportJobState.choices,
        protected=True,
    )
    error = models.TextField(_("未能导入的原因"), blank=True)
    # Rows read when the preview or the import last finished; while one runs, the rows read so
    # far are in the cache (``departments.jobs.rows_read``).
    rows_done = models.PositiveIntegerField(_("已读取行数"), default=0)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增项"), default=0)
    changed_count = models.PositiveIntegerField(_("变更项"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变项"), default=0)
    refused_count = models.PositiveIntegerField(_("拒绝行"), default=0)
    report = models.JSONField(_("预览报告"), default=dict, blank=True)
    same_file = models.ForeignKey(
        ImportBatch,
        verbose_name=_("此前导入的同一文件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("导入批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = _("文件导入任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source.name} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.state in (
            ImportJobState.QUEUED,
            ImportJobState.PREVIEWING,
            ImportJobState.APPLYING,
        )

    @transition(field=state, source=ImportJobState.QUEUED, target=ImportJobState.PREVIEWING)
    def start_preview(self):
        pass

    @transition(field=state, source=ImportJobState.PREVIEWING, target=ImportJobState.PREVIEWED)
    def finish_preview(self, *, outcome):
        self.rows_done = self.rows = outcome.rows
        self.new_count = outcome.new
        self.changed_count = outcome.changed
        self.unchanged_count = outcome.unchanged
        self.refused_count = outcome.refused
        self.report = outcome.report()
        self.same_file = outcome.same_file

    @transition(
        field=state,
        source=ImportJobState.PREVIEWED,
        target=ImportJobState.APPLYING,
        permission=may_confirm_import,
    )
    def confirm(self):
        self.rows_done = 0

    @transition(field=state, source=ImportJobState.APPLYING, target=ImportJobState.APPLIED)
    def finish_apply(self, *, batch: ImportBatch):
        self.batch = batch
        self.rows_done = batch.rows

    @transition(
        field=state,
        source=[ImportJobState.QUEUED, ImportJobState.PREVIEWING, ImportJobState.APPLYING],
        target=ImportJobState.FAILED,
    )
    def fail(self, *, reason: str):
        self.error = reason


class ImportJobLog(StateLog):
    """One entry per change of an import job's state."""

    job = models.ForeignKey(
        ImportJob,
        verbose_name=_("文件导入任务"),
        on_delete=models.PROTECT,
        related_name="log_entries",
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state, to_state = state_fields(ImportJobState)

    class Meta(StateLog.Meta):
        verbose_name = verbose_name_plural = _("文件导入任务记录")

    def __str__(self) -> str:
        moment = timezone.localtime(self.created_at)
        return f"{moment:%Y-%m-%d %H:%M} {self.action_label}"

    @property
    def action_label(self) -> str:
        return str(IMPORT_JOB_ACTIONS.get(self.action, self.action))


# The API's credentials and answers live in a module of their own; imported here so that
# Django finds them among the app's models.
from .api_models import ApiDelivery, SourceKey  # noqa: E402, F401
