from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("企业与用户")

    def ready(self) -> None:
        from . import relation_names, separation, sessions

        relation_names.name_in_chinese()

        sessions.connect()
        separation.connect()
