"""Each account's recent passwords: the hash, when it was set, and whether someone else set it
(an administrator creating the account or setting a new password), which makes it an initial
password its holder changes at the first sign-in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from security.audit.context import current_request, request_actor

# How many of the latest passwords a new one may not repeat; older hashes are not kept.
KEPT = 5


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("用户"),
    )
    password = models.CharField(_("密码哈希"), max_length=128)
    set_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    initial = models.BooleanField(
        _("初始密码"), default=False, help_text=_("由他人设置，本人首次登录时须修改。")
    )

    class Meta:
        app_label = "security"
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ("-set_at", "-pk")
        indexes = [models.Index(fields=("user", "-set_at"), name="password_history_latest")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.set_at:%Y-%m-%d %H:%M}"


def latest_passwords(user, count: int = KEPT) -> list[PasswordHistory]:
    return list(PasswordHistory.objects.filter(user=user).order_by("-set_at", "-pk")[:count])


def password_recorded(*, user, initial: bool) -> PasswordHistory:
    """The user's current password hash, with the time and whether someone else set it; hashes
    older than the last ``KEPT`` go."""
    entry = PasswordHistory.objects.create(user=user, password=user.password, initial=initial)
    stale = PasswordHistory.objects.filter(user=user).order_by("-set_at", "-pk")[KEPT:]
    PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return entry


def password_being_saved(instance) -> bool:
    """Whether ``instance`` is a user saved with a newly set password: Django's save() holds it
    in ``_password`` until the row is written (the audit's ``password_changed`` reads the
    same); a rehash at login clears it first."""
    return (
        isinstance(instance, get_user_model()) and getattr(instance, "_password", None) is not None
    )


def set_by(instance):
    """Who is setting ``instance``'s password: the person signed in on the current request, or
    None (a visitor registering or resetting by email, a command, the demo's accounts)."""
    request = current_request()
    return request_actor(request) if request is not None else None


def _password_saved(sender, instance, created, **kwargs):
    if not password_being_saved(instance):
        return
    actor = set_by(instance)
    # Set by someone signed in who is not its holder: an initial password.
    password_recorded(user=instance, initial=actor is not None and actor.pk != instance.pk)


def connect() -> None:
    # Any sender: an official is saved as a StaffMember, the proxy.
    post_save.connect(_password_saved, dispatch_uid="security.passwords.history")
