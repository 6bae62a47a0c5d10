"""Who reads the audit trail (审计记录): administrators for now, the auditor (审计管理员) and the
security administrator (安全管理员); and beat's task that seals the trail every minute."""

from django.db import migrations

from policy_portal.roles import ensure_permissions

READERS = ("administrator", "auditor", "security_administrator")
SEAL_TASK = ("审计记录封存", "security.audit.tasks.seal_audit_trail", 60)


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="security", codename="view_auditrecord")
    for name in READERS:
        Group.objects.get_or_create(name=name)[0].permissions.add(view)

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, seconds = SEAL_TASK
    every, _created = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "enabled": True, "interval": every, "crontab": None}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=SEAL_TASK[0]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
