from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for a first run; it reaches every other app, so it lives above them all."""

    name = "demo"
    verbose_name = _("演示数据")
