"""The model fields the apps declare again and again, declared once: the person who did
something to a record (and when), lists kept as JSON, and the references to the portal's main
records, each named and protected the same way wherever it stands.

Below every app: it imports Django only and names the models it points to by their labels, so
any app's models may use it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def person_fk(verbose_name, **kwargs) -> models.ForeignKey:
    """The person who did something to a record: kept as long as the record is (PROTECT), and
    not listed from the user's side."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
        **kwargs,
    )


def who_and_when(who, when, *, optional: bool = False):
    """Who did something to a record and when, as a pair of fields:
    ``frozen_by, frozen_at = who_and_when(_("锁定人"), _("锁定时间"), optional=True)``.

    Done when the record is made (the time defaults to now), or with ``optional`` some time
    later: both stay empty until then."""
    if optional:
        return (
            person_fk(who, null=True, blank=True),
            models.DateTimeField(when, null=True, blank=True),
        )
    return person_fk(who), models.DateTimeField(when, default=timezone.now)


def list_field(verbose_name, **kwargs) -> models.JSONField:
    """A list kept as JSON, empty unless filled in."""
    return models.JSONField(verbose_name, default=list, blank=True, **kwargs)


def _reference(to: str, default_verbose_name):
    def field(
        related_name: str,
        *,
        on_delete=models.PROTECT,
        one_to_one: bool = False,
        verbose_name=default_verbose_name,
        **kwargs,
    ) -> models.ForeignKey:
        kind = models.OneToOneField if one_to_one else models.ForeignKey
        return kind(
            to,
            verbose_name=verbose_name,
            on_delete=on_delete,
            related_name=related_name,
            **kwargs,
        )

    field.__doc__ = (
        f"A reference to a {to}: kept as long as what points to it (PROTECT) unless "
        "``on_delete`` says otherwise; ``one_to_one`` for at most one per record."
    )
    return field


# References to the main records, by what they are called everywhere.
measure_fk = _reference("measures.Measure", _("政策条款"))
track_fk = _reference("measures.Track", _("申报类别"))
window_fk = _reference("measures.ApplicationWindow", _("申报批次"))
enterprise_fk = _reference("enterprises.Enterprise", _("企业"))
application_fk = _reference("applications.Application", _("申报"))
log_entry_fk = _reference("applications.TransitionLog", _("办理记录"))
