"""Give the system administrator the permissions of the enterprises' reports against the
departments' data (部门数据异议) and the auditor their reading."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0015_department_disagreements")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
