from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from django_celery_beat.models import PeriodicTask

        from applications.signals import events_recorded

        # The one label of beat's schedule that django-celery-beat does not pass through
        # gettext; its others are translated in locale/zh_Hans.
        PeriodicTask._meta.get_field("task").verbose_name = _("任务名称")

        from .services import deliver_on_commit

        def deliver(sender, *, events, **kwargs):
            deliver_on_commit(events)

        events_recorded.connect(deliver, weak=False, dispatch_uid="notifications.deliver")
