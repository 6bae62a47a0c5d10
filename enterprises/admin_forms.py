"""The administrators' forms for the people who use the site."""

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, SetPasswordMixin, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from measures.models import Division
from policy_portal import roles

from .models import StaffMember
from .separation import role_conflict
from .services import staff_member_assign_role

STAFF_ROLE_CHOICES = [(role, roles.ROLE_LABELS[role]) for role in roles.STAFF_ROLES]


# The fields only the security administrator fills (三员分立, roles.ASSIGN_ROLE).
ROLE_FIELDS = ("role", "district", "divisions")


class StaffMemberForm(forms.ModelForm):
    """One form for an official: the role decides staff status, the group and the scope.

    Made by the admin for whoever fills it (``for_editor``): without ``roles.ASSIGN_ROLE`` (the
    system administrator) the role and scope are not part of it, so that an official they add
    works once the security administrator has given the role, and nothing they post changes one.
    """

    may_assign_role = True
    editor = None

    role = forms.ChoiceField(
        label=_("角色"),
        choices=[("", _("请选择")), *STAFF_ROLE_CHOICES],
        help_text=_("登录后台的权限随角色而定。"),
    )
    divisions = forms.ModelMultipleChoiceField(
        label=_("所属处室"),
        queryset=Division.objects.order_by("pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("市级审核员必选：只能看到本处室主管措施的申报。"),
    )

    class Meta:
        model = StaffMember
        fields = ("first_name", "username", "email", "phone", "district", "is_active")
        field_classes = {"username": UsernameField}
        labels = {"first_name": _("姓名"), "is_active": _("启用")}
        help_texts = {
            "district": _("区县审核员必选：只能看到本区县企业的申报。"),
            "is_active": _("停用后不能登录，办理记录保留。"),
            "username": _("登录时使用，只能包含字母、数字和 @/./+/-/_。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["email"].required = True
        self.fields["district"].choices = [("", _("请选择")), *self.fields["district"].choices[1:]]
        self.fields["role"].widget.attrs["data-staff-role"] = ""
        if self.instance.is_superuser:
            # A superuser holds every permission; a role would only add its notifications.
            self.fields["role"].required = False
        if self.instance.pk:
            self.initial.setdefault("role", roles.staff_role_of(self.instance) or "")
            self.initial.setdefault("divisions", list(self.instance.divisions.all()))
        if not self.may_assign_role:
            for name in ROLE_FIELDS:
                self.fields.pop(name, None)

    @classmethod
    def for_editor(cls, user):
        """The form as ``user`` fills it: with the role and scope only for whoever assigns roles."""
        return type(
            cls.__name__,
            (cls,),
            {"may_assign_role": user.has_perm(roles.ASSIGN_ROLE), "editor": user},
        )

    def clean_username(self):
        # Usernames differing only in case would let one account pass for another.
        username = self.cleaned_data.get("username")
        others = StaffMember._base_manager.exclude(pk=self.instance.pk)
        if username and others.filter(username__iexact=username).exists():
            raise ValidationError(_("该登录用户名已被使用，请换一个。"))
        return username

    def clean(self):
        cleaned = super().clean()
        if not self.may_assign_role:
            return cleaned
        role = cleaned.get("role")
        current = roles.staff_role_of(self.instance) if self.instance.pk else None
        if self.editor is not None and self.instance.pk == self.editor.pk and role != current:
            # Whoever gives roles does not give one to themselves, nor takes their own away.
            self.add_error("role", _("不能修改自己的角色。"))
        if role and self.instance.pk:
            held = set(self.instance.groups.values_list("name", flat=True))
            conflict = role_conflict((held - set(roles.STAFF_ROLES)) | {role})
            if conflict:
                self.add_error("role", conflict)
        if role == roles.DISTRICT_REVIEWER and not cleaned.get("district"):
            self.add_error("district", _("区县审核员须指定负责区县。"))
        if role == roles.MUNICIPAL_REVIEWER and not cleaned.get("divisions"):
            self.add_error("divisions", _("市级审核员须指定所属处室。"))
        return cleaned

    def save(self, commit=True):
        """The member with the role: staff status, group and scope are written together."""
        user = super().save(commit=False)
        if not commit:
            return user
        user.last_name = ""  # the name is kept whole, in first_name
        if not self.may_assign_role:
            # An official added by the administrator: staff, without a role (and so without a
            # permission) until the security administrator gives one.
            if not user.pk:
                user.is_staff = True
            user.save()
            return user
        if user.is_superuser and not self.cleaned_data["role"]:
            user.district = ""  # a scope means something only with a reviewer's role
            user.save()
            user.divisions.clear()
            return user
        return staff_member_assign_role(
            user=user,
            role=self.cleaned_data["role"],
            district=self.cleaned_data.get("district") or "",
            divisions=self.cleaned_data.get("divisions") or (),
        )


class StaffMemberCreationForm(SetPasswordMixin, StaffMemberForm):
    """The staff form with the initial password, so the new official can log in at once."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("初始密码"), label2=_("确认初始密码")
    )

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # The account will be an official's: its password meets the officials' policy.
        self.instance.is_staff = True
        self.validate_password_for_user(self.instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        return super().save(commit=commit)


class PasswordSetByAdministratorForm(AdminPasswordChangeForm):
    """A new password: every account here logs in with one, so there is no choice to turn
    password login off (and no English warning about it)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True
