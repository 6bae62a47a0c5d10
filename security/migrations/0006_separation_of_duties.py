"""三员分立: the administrator's role split in three. The security administrator (安全管理员)
gets officials' roles and scopes, groups, lockouts and others' passwords; the auditor
(审计管理员) reads the trail and the logs; the administrator keeps the business's data and
loses what is now the security administrator's (groups and permissions, the role and scope
of an official, others' passwords) and the login records."""

from django.db import migrations

from policy_portal.roles import (
    ADMINISTRATOR,
    ADMINISTRATOR_WITHHELD,
    create_role_groups,
    ensure_permissions,
)

# Never the administrator's: groups and permissions, the login records, and the withheld ones.
NOT_THE_ADMINISTRATORS_APPS = ("auth", "axes")


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_role_groups(Group, Permission)
    administrator = Group.objects.get(name=ADMINISTRATOR)
    administrator.permissions.remove(
        *Permission.objects.filter(content_type__app_label__in=NOT_THE_ADMINISTRATORS_APPS)
    )
    for perm in ADMINISTRATOR_WITHHELD:
        app_label, codename = perm.split(".")
        administrator.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0005_password_history"),
        ("enterprises", "0014_staff_member_permissions"),
        ("applications", "0016_figures_read_back_exactly"),
        ("disbursements", "0006_personal_data_encrypted_rows"),
        ("publicity", "0003_numbered_publicities"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Backwards: the groups stay as they are (the permissions a role lost are not given back).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
