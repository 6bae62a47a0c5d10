"""Beat's task that deletes expired sessions every night (剩余信息保护): a session row keeps who
was signed in until Django's ``clearsessions`` removes it."""

from django.db import migrations

NAME = "清理过期会话"
TASK = "enterprises.tasks.clear_expired_sessions"
CRONTAB = {"minute": "20", "hour": "4"}


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # A row an administrator already made for the task is kept as it is: one row per task.
    if PeriodicTask.objects.filter(task=TASK).exclude(name=NAME).exists():
        return
    crontab, _created = CrontabSchedule.objects.get_or_create(
        timezone="Asia/Shanghai", day_of_week="*", day_of_month="*", month_of_year="*", **CRONTAB
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "enabled": True, "crontab": crontab, "interval": None}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0012_personal_data_permissions_granted"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
