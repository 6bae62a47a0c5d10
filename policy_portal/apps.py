from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with the site of policy_portal/admin_site.py as ``admin.site``."""

    default_site = "policy_portal.admin_site.PortalAdminSite"
