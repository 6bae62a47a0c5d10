from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, User


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "industry", "scale", "created_at")
    list_filter = ("district", "industry", "scale")
    # The user admin's enterprise autocomplete searches through these.
    search_fields = ("name", "credit_code")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    # Counting every enterprise again for "N results of M" is not worth a second query.
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "credit_code", "district", "industry", "scale")}),
        (_("联系方式"), {"fields": ("contact_name", "contact_phone")}),
        (_("收款账户"), {"fields": ("bank_name", "bank_account")}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("企业与职责"), {"fields": ("enterprise", "district", "divisions", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("企业与职责"), {"classes": ("wide",), "fields": ("email", "enterprise", "district")}),
    )
    list_display = ("username", "email", "enterprise", "district", "is_staff", "is_active")
    list_filter = ("groups", "district", "is_staff", "is_superuser", "is_active")
    list_select_related = ("enterprise",)
    search_fields = (
        *DjangoUserAdmin.search_fields,
        "enterprise__name",
        "enterprise__credit_code",
    )
    autocomplete_fields = ("enterprise",)
    filter_horizontal = (*DjangoUserAdmin.filter_horizontal, "divisions")
