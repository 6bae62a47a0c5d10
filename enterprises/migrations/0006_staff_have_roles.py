"""Staff status follows from a role: accounts made staff by hand without one lose it.

Before the staff form, the user admin let an administrator tick "staff" without giving a role.
Such an account holds no permission, so it could log in to the admin and see nothing; it is not
staff any more, and an administrator who meant it to work gives it a role with the staff form.
Superusers keep their status: they hold every permission without a role.
"""

from django.db import migrations

STAFF_ROLES = ("district_reviewer", "municipal_reviewer", "finance", "administrator")


def staff_without_a_role_is_not_staff(apps, schema_editor):
    User = apps.get_model("enterprises", "User")
    User.objects.filter(is_staff=True, is_superuser=False).exclude(
        groups__name__in=STAFF_ROLES
    ).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_staff_members")]

    operations = [
        migrations.RunPython(staff_without_a_role_is_not_staff, migrations.RunPython.noop),
    ]
