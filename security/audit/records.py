"""The audit record (审计记录): one table of records, data changes and security events alike,
chained by hash so that an edited, removed or reordered record shows."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy_portal.logs import AppendOnlyModel
from policy_portal.signals import SECURITY_EVENT_KINDS

from .guard import GUARD_TRIGGERS

CHANGE = "change"

KIND_LABELS = {
    CHANGE: _("数据变更"),
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "lockout": _("账号锁定"),
    "logout": _("退出登录"),
    "password_changed": _("修改密码"),
    "otp_enrolled": _("绑定动态口令"),
    "otp_recovery_used": _("使用恢复码"),
    "otp_failed": _("动态口令验证失败"),
    "otp_reset": _("重置动态口令"),
    "superuser_login": _("超级管理员登录"),
    "permission_denied": _("拒绝访问"),
    "export": _("导出"),
    "download": _("下载"),
    "unmasked": _("查看完整敏感信息"),
    "anonymise": _("匿名化个人信息"),
    "department_api": _("部门数据接口调用"),
}
assert set(KIND_LABELS) == {CHANGE, *SECURITY_EVENT_KINDS}

ACTION_LABELS = {
    "insert": _("新增"),
    "update": _("修改"),
    "delete": _("删除"),
    "add": _("添加关联"),
    "remove": _("移除关联"),
}


class AuditRecord(AppendOnlyModel):
    """One thing that happened: a change of data that decides money or access, or a security
    event. Written once, by the database's triggers or by ``security.audit.recording``; sealed
    later into the chain (``seq``, ``prev_hash``, ``hash``) by ``security.audit.chain.seal``.
    Nobody changes or deletes one: not the admin, not the ORM, and on PostgreSQL not SQL
    either (``security.audit.guard``)."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=True,
        blank=True,
    )
    address = models.CharField(_("来源地址"), max_length=45, blank=True)
    kind = models.CharField(
        _("类别"), max_length=24, choices=list(KIND_LABELS.items()), db_index=True
    )
    action = models.CharField(_("操作"), max_length=24, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    # The pghistory event a data change was recorded with.
    event_model = models.CharField(_("变更事件表"), max_length=100, blank=True)
    event_id = models.BigIntegerField(_("变更事件编号"), null=True, blank=True)
    # The chain: empty until sealed.
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True)
    algorithm = models.CharField(_("摘要算法"), max_length=16, blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, blank=True)
    hash = models.CharField(_("摘要"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            # What the sealer looks for: the records not yet in the chain.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"
            ),
        ]
        triggers = GUARD_TRIGGERS

    def __str__(self) -> str:
        return f"#{self.seq or '—'} {self.kind_label} {self.object_type} {self.object_id}".strip()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, KIND_LABELS.get(self.action, self.action)))
