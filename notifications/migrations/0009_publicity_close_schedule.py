"""Beat's schedule gains the closing of 公示 whose period is over."""

from django.db import migrations

from notifications.schedule import install


def create(apps, schema_editor):
    install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_window_announcement_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
