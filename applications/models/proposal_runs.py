"""The progress of a preparation of 免申即享 drafts."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import person_fk, window_fk


class ProposalRun(models.Model):
    """One preparation of 免申即享 drafts for a window, run by a Celery task: its progress."""

    window = window_fk("proposal_runs", on_delete=models.CASCADE)
    requested_by = person_fk(_("发起人"), null=True, blank=True)
    # The import of the departments' data that started the run; none when an administrator did.
    import_batch = models.ForeignKey(
        "departments.ImportBatch",
        verbose_name=_("起因：导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_runs",
    )
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    enterprises = models.PositiveIntegerField(_("待测算企业数"), default=0)
    done = models.PositiveIntegerField(_("已测算企业数"), default=0)
    proposed = models.PositiveIntegerField(_("新准备的申报"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("免申即享准备")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.window} · {timezone.localtime(self.requested_at):%Y-%m-%d %H:%M}"
