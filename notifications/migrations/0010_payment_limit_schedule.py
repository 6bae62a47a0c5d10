"""Beat's schedule gains the warnings before the time limit to payment and its breaches."""

from django.db import migrations

from notifications.schedule import install


def create(apps, schema_editor):
    install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_publicity_close_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
