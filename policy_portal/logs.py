"""Append-only records shared by the apps: rows written once, never changed or deleted.

Below every app: it imports Django and the shared fields only, so any app's models may build
on it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import person_fk


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name} is append-only")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name} is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(f"{self.model._meta.verbose_name} is append-only")


class AppendOnlyModel(models.Model):
    """Rows written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name} is append-only")


def state_fields(states: type[models.TextChoices], *, max_length: int = 16):
    """A log's ``from_state`` and ``to_state`` over the states of one state machine:
    ``from_state, to_state = state_fields(BatchState)``."""
    return (
        models.CharField(_("原状态"), max_length=max_length, choices=states.choices),
        models.CharField(_("新状态"), max_length=max_length, choices=states.choices),
    )


class LogEntry(AppendOnlyModel):
    """An entry of a record's history: written once, read in the order it was written."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class StateLog(LogEntry):
    """One entry per change of a record with a state machine: who made it, when, from and to
    which state, why. Each log adds the record it belongs to and the name of the action, and
    gives ``from_state``/``to_state`` its machine's states with ``state_fields``."""

    # Empty where the system acted on its own; a log whose every entry has a person says so.
    actor = person_fk(_("操作人"), null=True, blank=True)
    from_state = models.CharField(_("原状态"), max_length=16)
    to_state = models.CharField(_("新状态"), max_length=16)
    comment = models.TextField(_("说明"), blank=True)

    class Meta(LogEntry.Meta):
        abstract = True


def log_change(subject, action: str, *, by, from_state: str, comment: str = "", at=None):
    """Write the entry of ``action``, taken by ``by``, in the log of ``subject`` (a batch, a
    公示: the logs whose entries name an action, reached as ``subject.log_entries``): from
    ``from_state`` to the state ``subject`` is in now."""
    return subject.log_entries.create(
        actor=by,
        action=action,
        from_state=from_state,
        to_state=subject.state,
        comment=comment,
        created_at=at or timezone.now(),
    )
