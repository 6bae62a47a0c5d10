from django.contrib import admin

from .models import Application, ApplicationDocument, TransitionLog


class ReadOnlyAdminMixin:
    """Shown, never written: nobody adds, changes or deletes these through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionLogInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TransitionLog
    fields = [
        "created_at",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "amount",
        "comment",
        "comment_public",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False


class DocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationDocument
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "enterprise",
        "track",
        "state",
        "calculated_amount",
        "approved_amount",
        "submitted_at",
    ]
    list_filter = ["state", "track__measure"]
    list_select_related = ["enterprise", "track__measure"]
    search_fields = ["reference", "enterprise__name", "enterprise__credit_code"]
    inlines = [DocumentInline, TransitionLogInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or super().has_view_permission(request, obj)


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "amount",
    ]
    list_filter = ["transition", "to_state"]
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference"]
