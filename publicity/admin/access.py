"""Who sees 公示 and objections in the admin: administrators only, and nobody adds, changes or
deletes them there (the services do, from the buttons of their pages)."""

from publicity import permissions


class AdministratorsOnly:
    def _is_administrator(self, request) -> bool:
        return permissions.is_administrator(None, request.user)

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
