from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("申报办理")

    def ready(self) -> None:
        from enterprises.signals import anonymise_requested

        from .anonymising import refuse_while_needed

        anonymise_requested.connect(
            refuse_while_needed, dispatch_uid="applications.refuse_anonymise"
        )
