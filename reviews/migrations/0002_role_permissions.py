"""Give the officials' groups the permissions of the applications and reviews apps."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("applications", "0002_application_due_at_and_more"),
        ("notifications", "0001_initial"),
        ("enterprises", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
