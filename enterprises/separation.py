"""One person, one role (三员分立): nobody holds two of the system, security and audit
administrators' roles, nor an official's role beside the enterprise's. Checked on every change
of a user's groups, whichever code makes it (the staff form, a service, the shell), before the
row is written."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext as _

from policy_portal import roles

from .models import User


def role_conflict(held) -> str | None:
    """Why the roles ``held`` (group names) cannot be one person's, or None."""
    held = set(held)
    three = [role for role in roles.THREE_ADMINISTRATORS if role in held]
    if len(three) > 1:
        return _("%(roles)s不得由同一人兼任（三员分立）。") % {
            "roles": "、".join(str(roles.ROLE_LABELS[role]) for role in three)
        }
    staff = [role for role in roles.STAFF_ROLES if role in held]
    if staff and roles.ENTERPRISE in held:
        return _("企业用户不得同时担任工作人员角色（%(role)s）。") % {
            "role": roles.ROLE_LABELS[staff[0]]
        }
    return None


def _check_roles(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action != "pre_add" or not pk_set:
        return
    if reverse:
        # group.user_set.add(...): one group given to several users.
        added = set(Group.objects.filter(pk=instance.pk).values_list("name", flat=True))
        users = User._base_manager.filter(pk__in=pk_set).prefetch_related("groups")
    else:
        added = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        users = [instance]
    for user in users:
        held = set(user.groups.values_list("name", flat=True)) if user.pk else set()
        conflict = role_conflict(held | added)
        if conflict:
            raise ValidationError(conflict, code="role_conflict")


def connect() -> None:
    m2m_changed.connect(
        _check_roles, sender=User.groups.through, dispatch_uid="enterprises.separation"
    )
