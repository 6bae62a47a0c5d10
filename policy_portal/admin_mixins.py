"""Pieces shared by the apps' admin modules."""


class ReadOnlyAdminMixin:
    """Shown, never written: nobody adds, changes or deletes these rows through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
