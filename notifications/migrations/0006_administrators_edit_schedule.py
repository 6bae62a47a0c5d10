"""Administrators may change beat's schedule in the admin."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_email_retry_schedule"),
        ("disbursements", "0002_role_permissions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
