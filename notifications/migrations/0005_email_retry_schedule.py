"""Beat's schedule gains the periodic retry of emails that could not be sent."""

from django.db import migrations

from notifications.schedule import install


def create(apps, schema_editor):
    install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_email_claims"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
