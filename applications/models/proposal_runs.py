"""The progress of a preparation of 免申即享 drafts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import ApplicationWindow


class ProposalRun(models.Model):
    """One preparation of 免申即享 drafts for a window, run by a Celery task: its progress."""

    window = models.ForeignKey(
        ApplicationWindow,
        verbose_name=_("申报批次"),
        on_delete=models.CASCADE,
        related_name="proposal_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    enterprises = models.PositiveIntegerField(_("待测算企业数"), default=0)
    done = models.PositiveIntegerField(_("已测算企业数"), default=0)
    proposed = models.PositiveIntegerField(_("新准备的申报"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("免申即享准备")
        verbose_name_plural = _("免申即享准备")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.window} · {timezone.localtime(self.requested_at):%Y-%m-%d %H:%M}"
