"""Chinese names for the user's many-to-many rows (its divisions, roles and permissions), which
Django's delete confirmation lists as "User-division关系: User_divisions object (5)"."""

from django.utils.translation import gettext_lazy as _

from policy_portal import roles


def name_in_chinese() -> None:
    from .models import User

    def division_row(row) -> str:
        return str(row.division)

    def role_row(row) -> str:
        return str(roles.ROLE_LABELS.get(row.group.name, row.group.name))

    def permission_row(row) -> str:
        return str(row.permission.name)

    for field, label, to_str in (
        ("divisions", _("所属处室"), division_row),
        ("groups", _("角色"), role_row),
        ("user_permissions", _("单独授予的权限"), permission_row),
    ):
        through = User._meta.get_field(field).remote_field.through
        through._meta.verbose_name = through._meta.verbose_name_plural = label
        through.__str__ = to_str
