"""Who may export or anonymise another person's data: administrators and security
administrators (安全管理员). The groups are found or created by name: the security
administrator's role may be defined by a later migration."""

from django.db import migrations

from policy_portal.roles import ensure_permissions

HOLDERS = ("administrator", "security_administrator")
CODENAMES = ("export_personal_data", "anonymise_user")


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(
        content_type__app_label="enterprises", codename__in=CODENAMES
    )
    for name in HOLDERS:
        Group.objects.get_or_create(name=name)[0].permissions.add(*granted)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(
        content_type__app_label="enterprises", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=HOLDERS):
        group.permissions.remove(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0011_personal_data_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
