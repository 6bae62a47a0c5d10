from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("企业与用户")

    def ready(self) -> None:
        from .login_records import name_in_chinese
        from .sessions import connect

        connect()
        name_in_chinese()


class LoginRecordsConfig(AxesConfig):
    """django-axes, named in Chinese on the admin's home page (its own name is "Axes")."""

    verbose_name = _("登录安全")
