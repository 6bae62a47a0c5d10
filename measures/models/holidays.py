"""The State Council's holiday schedule, from which working days are counted."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        verbose_name = verbose_name_plural = _("节假日安排")
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
