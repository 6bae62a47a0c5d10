from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from measures.money import format_yuan_exact
from policy_portal import roles
from policy_portal.admin_mixins import MaskedPersonalDataMixin, ViewOnlyFormMixin, masked_display
from policy_portal.masking import mask_account, mask_phone

from .admin_actions import PersonalDataActionsMixin
from .admin_forms import (
    ROLE_FIELDS,
    PasswordSetByAdministratorForm,
    StaffMemberCreationForm,
    StaffMemberForm,
)
from .handling import has_handled
from .models import Enterprise, EnterpriseFigure, EnterpriseRecognition, StaffMember, User
from .selectors import file_fields

# The roles are groups defined in code (policy_portal.roles) and given with the staff form; a
# group edited by hand would only make a role mean something else for some people.
admin.site.unregister(Group)


class _ReadOnlyInline(admin.TabularInline):
    """The enterprise's file is the enterprise's own (一企一档): officials read it here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EnterpriseRecognitionInline(_ReadOnlyInline):
    model = EnterpriseRecognition
    fields = readonly_fields = ("kind", "year", "created_at")


class EnterpriseFigureInline(_ReadOnlyInline):
    model = EnterpriseFigure
    fields = readonly_fields = ("year", "label", "value", "source_application", "updated_at")

    def _file_fields(self):
        # An inline is made anew for each request: the policy data is read once per page.
        if not hasattr(self, "_fields"):
            self._fields = file_fields()
        return self._fields

    @admin.display(description=_("项目"))
    def label(self, obj):
        spec = self._file_fields().get(obj.name)
        return spec.label if spec else obj.name

    @admin.display(description=_("数据"))
    def value(self, obj):
        value = obj.value
        if isinstance(value, bool):
            return _("是") if value else _("否")
        spec = self._file_fields().get(obj.name)
        if spec is not None and spec.track_field.is_money:
            return format_yuan_exact(value)
        return value


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "industry", "scale", "created_at")
    list_filter = ("district", "industry", "scale")
    show_facets = admin.ShowFacets.NEVER
    # The user admin's enterprise autocomplete searches through these.
    search_fields = ("name", "credit_code")
    # The contact's phone and the payout account are the enterprise's to keep (its profile):
    # here they read masked, to administrators as to anyone in the admin.
    readonly_fields = ("masked_contact_phone", "masked_bank_account", "created_at", "updated_at")
    date_hierarchy = "created_at"
    # Counting every enterprise again for "N results of M" is not worth a second query.
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "credit_code", "district", "industry", "scale")}),
        (_("国民经济行业分类"), {"fields": ("industry_section", "industry_division")}),
        (_("联系方式"), {"fields": ("contact_name", "masked_contact_phone")}),
        (_("收款账户"), {"fields": ("bank_name", "masked_bank_account")}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (EnterpriseRecognitionInline, EnterpriseFigureInline)

    masked_contact_phone = masked_display("contact_phone", mask_phone, _("联系电话"))
    masked_bank_account = masked_display("bank_account", mask_account, _("银行账号"))


class _MaskedPhoneMixin(MaskedPersonalDataMixin):
    """A person's phone: replaced, never read whole, in the admin."""

    masked_fields = {"phone": (mask_phone, "masked_phone")}
    masked_phone = masked_display("phone", mask_phone, _("手机号"))


class _PasswordLinkMixin:
    """重设密码: the security administrator's (roles.RESET_PASSWORD), for anyone they may see
    but a superuser; the page and its link are not there for anyone else (三员分立)."""

    change_password_form = PasswordSetByAdministratorForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm(roles.RESET_PASSWORD):
            return fieldsets
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != "password_link"]})
            for title, options in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.has_perm(roles.RESET_PASSWORD):
            raise PermissionDenied
        # Django's page asks for the change permission; the reset is a permission of its own.
        request._resetting_password = True
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request, obj=None):
        if getattr(request, "_resetting_password", False) and obj is not None:
            return not obj.is_superuser or request.user.is_superuser
        return super().has_change_permission(request, obj)

    @admin.display(description=_("密码"))
    def password_link(self, obj):
        if obj is None or not obj.pk:
            return ""
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">{}</a>',
            url.removesuffix("change/") + "password/",
            _("重设密码"),
        )


@admin.register(User)
class UserAdmin(
    PersonalDataActionsMixin,
    _PasswordLinkMixin,
    _MaskedPhoneMixin,
    ViewOnlyFormMixin,
    DjangoUserAdmin,
):
    """Enterprises' accounts. Officials are managed under 工作人员, by role, so that nobody
    becomes staff, or loses a role's scope, by ticking a box here."""

    add_form_template = "admin/change_form.html"
    fieldsets = (
        (None, {"fields": ("username", "password_link")}),
        (_("个人信息"), {"fields": ("first_name", "email", "phone")}),
        (_("所属企业"), {"fields": ("enterprise",)}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("个人信息"), {"fields": ("first_name", "email", "phone")}),
        (_("所属企业"), {"fields": ("enterprise",)}),
    )
    readonly_fields = ("password_link", "last_login", "date_joined")
    # By name first, as everywhere; an account without a name shows its username there.
    list_display = ("display_name", "username", "email", "enterprise", "is_active", "last_login")
    list_display_links = ("display_name", "username")
    list_filter = ("is_active",)
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ("enterprise",)
    search_fields = (
        "username",
        "first_name",
        "email",
        "enterprise__name",
        "enterprise__credit_code",
    )
    autocomplete_fields = ("enterprise",)
    filter_horizontal = ()

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=False)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "enterprise" not in form.base_fields:
            return form  # read-only: the account's page shows its fields as they are
        form.base_fields["enterprise"].required = True
        form.base_fields.pop("usable_password", None)
        form.base_fields["first_name"].label = _("姓名")
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.groups.add(Group.objects.get(name=roles.ENTERPRISE))

    @admin.display(description=_("姓名"), ordering="first_name")
    def display_name(self, obj):
        return obj.display_name


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role, roles.ROLE_LABELS[role]) for role in roles.STAFF_ROLES]

    def queryset(self, request, queryset):
        if self.value() in roles.STAFF_ROLES:
            return queryset.filter(groups__name=self.value())
        return queryset


def _handled_message(officials) -> str:
    names = "、".join(str(official) for official in officials)
    return _(
        "%(names)s已有办理记录，不能删除：请停用（取消勾选“启用”），停用后不能登录，办理记录保留。"
    ) % {"names": names}


def _delete_unhandled(modeladmin, request, queryset):
    """Django's delete of the selected, refused as a whole if any has handled anything."""
    handled = [official for official in queryset if has_handled(official)]
    if handled:
        modeladmin.message_user(request, _handled_message(handled), messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


@admin.register(StaffMember)
class StaffMemberAdmin(
    PersonalDataActionsMixin,
    _PasswordLinkMixin,
    _MaskedPhoneMixin,
    ViewOnlyFormMixin,
    DjangoUserAdmin,
):
    """新增工作人员: one form, the role deciding staff status, group and scope."""

    form = StaffMemberForm
    add_form = StaffMemberCreationForm
    add_form_template = "admin/change_form.html"
    fieldsets = (
        (None, {"fields": ("first_name", "username", "password_link")}),
        (_("角色与范围"), {"fields": ("role", "district", "divisions")}),
        (_("联系方式"), {"fields": ("email", "phone")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("first_name", "username", "password1", "password2")}),
        (_("角色与范围"), {"fields": ("role", "district", "divisions")}),
        (_("联系方式"), {"fields": ("email", "phone")}),
        (None, {"fields": ("is_active",)}),
    )
    readonly_fields = ("password_link", "last_login", "date_joined")
    list_display = ("display_name", "username", "role", "scope", "email", "is_active", "last_login")
    list_display_links = ("display_name", "username")
    list_filter = (RoleFilter, "district", "is_active")
    show_facets = admin.ShowFacets.NEVER
    # A phone is encrypted: an official is found by the whole number, through its keyed hash.
    search_fields = ("username", "first_name", "email", "=phone")
    ordering = ("username",)
    filter_horizontal = ()

    class Media:
        js = ("js/staff_form.js",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "divisions")

    def _out_of_reach(self, request, obj) -> bool:
        """Only a superuser changes a superuser: otherwise an administrator could take over the
        account (its password, its email for a reset) and with it every permission. For the
        same reason the system administrator does not change the accounts of the security
        administrator and the auditor (三员分立): whoever assigns roles keeps those."""
        if obj is None:
            return False
        if obj.is_superuser and not request.user.is_superuser:
            return True
        guarded = roles.staff_role_of(obj) in (roles.SECURITY_ADMINISTRATOR, roles.AUDITOR)
        return guarded and not request.user.has_perm(roles.ASSIGN_ROLE)

    def has_change_permission(self, request, obj=None):
        if self._out_of_reach(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._out_of_reach(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    # An official who has handled anything is deactivated, never deleted: their decisions,
    # logs and admin changes keep their name (the form's 停用后不能登录，办理记录保留).
    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and has_handled(obj):
            extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and has_handled(obj):
            if not self.has_delete_permission(request, obj):
                raise PermissionDenied
            if request.method == "POST":
                self.message_user(request, _handled_message([obj]), messages.ERROR)
                return redirect(reverse("admin:enterprises_staffmember_change", args=[obj.pk]))
            extra_context = {**(extra_context or {}), "handled": True}
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_unhandled, name, description)
        return actions

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm(roles.ASSIGN_ROLE):
            return fieldsets
        # The role and scope are the security administrator's: shown, not offered; not on the
        # add page, where the new official has none yet.
        shown = [] if obj is None else [(_("角色与范围"), {"fields": ("role", "scope")})]
        return [
            part
            for title, options in fieldsets
            for part in (shown if set(options["fields"]) & set(ROLE_FIELDS) else [(title, options)])
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.has_perm(roles.ASSIGN_ROLE):
            return readonly
        return (*readonly, "role", "scope")

    def get_urls(self):
        # Django's user admin names its password page auth_user_password_change; a second user
        # admin under the same name would make that name point at one of the two at random.
        password, *urls = super().get_urls()
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.user_change_password),
                name="enterprises_staffmember_password_change",
            ),
            *urls,
        ]

    def get_form(self, request, obj=None, **kwargs):
        # The fields come from the form, not from the fieldsets' model fields alone (on a
        # read-only page ViewOnlyFormMixin puts the fieldsets' back).
        kwargs["fields"] = None
        if "form" not in kwargs:
            kwargs["form"] = (self.add_form if obj is None else self.form).for_editor(request.user)
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        form.save()

    def response_add(self, request, obj, post_url_continue=None):
        # Django's user admin goes on to the edit page, for what its add form did not ask;
        # this form asks for everything, so the list follows as for any other model.
        return admin.ModelAdmin.response_add(self, request, obj, post_url_continue)

    def save_related(self, request, form, formsets, change):
        # The role, its group and the divisions were written with the member, in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("姓名"), ordering="first_name")
    def display_name(self, obj):
        return obj.display_name

    @admin.display(description=_("角色"))
    def role(self, obj):
        role = roles.staff_role_of(obj)
        if role:
            return roles.ROLE_LABELS[role]
        return _("超级管理员") if obj.is_superuser else _("（未分配角色）")

    @admin.display(description=_("负责范围"))
    def scope(self, obj):
        if obj.district:
            return obj.get_district_display()
        divisions = "、".join(division.name for division in obj.divisions.all())
        if divisions:
            return divisions
        if roles.staff_role_of(obj) in (roles.DISTRICT_REVIEWER, roles.MUNICIPAL_REVIEWER):
            # An account from before the staff form: the reviewer sees nothing until it is set.
            return _("未指定，请补充")
        return "—"


# 部门数据异议: a module of its own.
from . import disagreement_admin  # noqa: E402, F401
