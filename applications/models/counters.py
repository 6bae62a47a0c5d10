"""What is kept alongside the applications so that it is never recomputed from them: the
references' sequence numbers and each window's budget totals."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from measures.fields import ExactDecimalField
from measures.models import MONEY
from policy_portal.fields import window_fk


class ReferenceCounter(models.Model):
    """The last sequence number used per measure and year, so references never repeat.

    A number is taken at an application's first submission, in the submission's transaction
    with this row locked: a draft left unsubmitted takes none, so the sequence has no gaps.
    """

    measure_number = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure_number", "year"], name="reference_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.measure_number:02d}: {self.last}"


class WindowTotals(models.Model):
    """What is approved (not yet paid) and what is paid against a window's budget.

    Kept by the services in the transaction of every approval and payment, so that reading a
    budget never sums the applications: the windows' list takes the same time at any number of
    them. A window without a row has had nothing approved yet.
    ``applications.services.window_totals_recount`` recomputes them from the applications.
    """

    window = window_fk("totals", on_delete=models.CASCADE, one_to_one=True, primary_key=True)
    approved_amount = ExactDecimalField(_("已批准待拨付"), **MONEY, default=0)
    disbursed_amount = ExactDecimalField(_("已拨付"), **MONEY, default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("预算")

    def __str__(self) -> str:
        return f"{self.window_id}: {self.approved_amount} + {self.disbursed_amount}"
