"""Give the system administrator the permissions of 部门数据 and the auditor the reading of its
import batches."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_departments"),
        ("enterprises", "0014_staff_member_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
