"""Who sees 公示 and objections in the admin: administrators only, and nobody adds, changes or
deletes them there (the services do, from the buttons of their pages)."""

from policy_portal.admin_mixins import ReadOnlyAdminMixin
from publicity import permissions


class AdministratorsOnly(ReadOnlyAdminMixin):
    def _is_administrator(self, request) -> bool:
        return permissions.is_administrator(None, request.user)

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)
