"""Give finance and administrators the permissions of the disbursements app."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("disbursements", "0001_initial"),
        ("reviews", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
