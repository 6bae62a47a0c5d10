"""Login attempts (django-axes) named in Chinese in the administrators' admin.

django-axes names its records with English f-strings and labels one column by its method's
name; its other labels go through gettext and are translated in ``locale/zh_Hans``.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _


class LoginRecordsConfig(AxesConfig):
    """django-axes, named in Chinese on the admin's home page (its own name is "Axes")."""

    verbose_name = _("登录安全")

    def ready(self) -> None:
        super().ready()
        name_in_chinese()


def name_in_chinese() -> None:
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    def attempt(self) -> str:
        return _("%(username)s 的登录失败（%(time)s，%(ip)s）") % {
            "username": self.username,
            "time": f"{localtime(self.attempt_time):%Y-%m-%d %H:%M}",
            "ip": self.ip_address,
        }

    def log(self) -> str:
        return _("%(username)s 的登录（%(time)s）") % {
            "username": self.username,
            "time": f"{localtime(self.attempt_time):%Y-%m-%d %H:%M}",
        }

    AccessAttempt.__str__ = attempt
    AccessFailureLog.__str__ = attempt
    AccessLog.__str__ = log
    AccessAttemptAdmin.status.short_description = _("状态")
