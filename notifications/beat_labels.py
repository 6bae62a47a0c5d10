"""Beat's schedule (django-celery-beat) in Chinese in the administrators' admin.

django-celery-beat passes most of its labels through gettext (translated in locale/zh_Hans), but
not the periodic task's "Task Name", the labels of two read-only fields, nor the description of a
crontab, which cron-descriptor writes in the process's locale. Set here once, at start-up.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def name_in_chinese() -> None:
    from cron_descriptor import Options
    from cron_descriptor import get_description as describe
    from django_celery_beat import admin as beat_admin
    from django_celery_beat import models as beat_models

    beat_models.PeriodicTask._meta.get_field("task").verbose_name = _("任务名称")
    beat_admin.PeriodicTaskAdmin.crontab_translation.short_description = _("计划说明")
    beat_models.CrontabSchedule.human_readable.fget.short_description = _("计划说明")

    def get_description(expression, options=None):
        if options is None and (get_language() or "").startswith("zh"):
            options = Options()
            options.locale_code = "zh_CN"
            options.use_24hour_time_format = True
        return describe(expression, options)

    beat_models.get_description = get_description

    from .task_names import periodic_task_name

    def periodic_task_str(task):
        name = periodic_task_name(task.name)
        return f"{name}: {task.scheduler}" if task.scheduler else name

    beat_models.PeriodicTask.__str__ = periodic_task_str
