"""Beat's schedule gains the announcement of windows as they open."""

from django.db import migrations

from notifications.schedule import install


def create(apps, schema_editor):
    install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_window_announcements"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
