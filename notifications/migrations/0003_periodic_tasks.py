"""Beat's schedule, in the database: deliveries, expiry, reminders, escalations, the sweep."""

from django.db import migrations

from notifications.schedule import PERIODIC_TASKS, install


def create(apps, schema_editor):
    install(apps)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(PERIODIC_TASKS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_key"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
