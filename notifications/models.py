"""The in-app notifications with the record of their emails, and the windows whose opening has
been announced."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import application_fk, log_entry_fk, window_fk


class Notification(models.Model):
    """An in-app message, and the record that its email went out; one per event and person.

    ``key`` names the event: ``log:<entry>`` for a transition, ``remind:…`` or ``escalate:…``
    for a deadline, ``window-opened:<window>`` for the digest of the windows a sweep announced
    to an enterprise, named by its first window; with the recipient it is unique, so that an
    event delivered or a sweep run twice never notifies anyone twice."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("办理进展")
        REMINDER = "reminder", _("到期提醒")
        ESCALATION = "escalation", _("逾期督办")
        # A window opened that the enterprise's file matches: it links to 可申报政策.
        WINDOW_OPENED = "window_opened", _("政策推送")
        # An enterprise's report against a department's figure, or the answer to it.
        DISAGREEMENT = "disagreement", _("部门数据异议")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    key = models.CharField(_("事件"), max_length=80)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.TRANSITION)
    application = application_fk("notifications", null=True, blank=True)
    log_entry = log_entry_fk("notifications", null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # Taken by a worker sending its email until then; a worker that dies leaves it to the next.
    email_claimed_until = models.DateTimeField(_("邮件发送中至"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送次数"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient"], name="notification_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class WindowAnnouncement(models.Model):
    """A window whose opening has been announced to the enterprises its tracks match: once per
    window, whatever happens to the file afterwards (``notifications.announcements``)."""

    window = window_fk("announcement", on_delete=models.CASCADE, one_to_one=True)
    announced_at = models.DateTimeField(_("推送时间"))
    enterprises = models.PositiveIntegerField(_("推送企业数"), default=0)
    notifications = models.PositiveIntegerField(_("通知条数"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("批次开放推送")
        ordering = ["-announced_at"]

    def __str__(self) -> str:
        return f"{self.window_id}: {self.announced_at:%Y-%m-%d %H:%M}"
