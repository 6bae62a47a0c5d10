"""Officials as their own admin list (a proxy of the user), and its permissions for administrators."""

from django.db import migrations

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0004_no_bidi_controls'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffMember',
            fields=[
            ],
            options={
                'verbose_name': '工作人员',
                'verbose_name_plural': '工作人员',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('enterprises.user',),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
