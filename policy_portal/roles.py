"""The roles, as Django groups created by data migrations.

三员分立 (GB/T 22239-2019, 第三级, 安全管理中心): the administration is split between three
people who never are one: the system administrator (系统管理员) runs the business's data, the
security administrator (安全管理员) decides who may do what, and the auditor (审计管理员)
reads what was done. ``THREE_ADMINISTRATORS``; the rule that one person holds one role is
enforced on every change of a user's groups (``enterprises.separation``)."""

from django.utils.translation import gettext_lazy as _

ENTERPRISE = "enterprise"
DISTRICT_REVIEWER = "district_reviewer"
MUNICIPAL_REVIEWER = "municipal_reviewer"
FINANCE = "finance"
ADMINISTRATOR = "administrator"
SECURITY_ADMINISTRATOR = "security_administrator"
AUDITOR = "auditor"

ROLE_LABELS = {
    ENTERPRISE: _("企业用户"),
    DISTRICT_REVIEWER: _("区县审核员"),
    MUNICIPAL_REVIEWER: _("市级审核员"),
    FINANCE: _("财务人员"),
    ADMINISTRATOR: _("系统管理员"),
    SECURITY_ADMINISTRATOR: _("安全管理员"),
    AUDITOR: _("审计管理员"),
}
STAFF_ROLES = (
    DISTRICT_REVIEWER,
    MUNICIPAL_REVIEWER,
    FINANCE,
    ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    AUDITOR,
)
THREE_ADMINISTRATORS = (ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR)
# Custom permissions (enterprises.StaffMember): the role and scope of an official, and a new
# password for someone else. The security administrator's, never the administrator's.
ASSIGN_ROLE = "enterprises.assign_role"
RESET_PASSWORD = "enterprises.reset_password"

# Model permissions per role, as "app_label.codename". Later apps extend this with their own
# migrations; the administrator gets every permission of ADMINISTRATOR_APPS but those withheld.
# Both reviewers read the measures and the applications in their scope, with their log.
_REVIEWER_PERMISSIONS = [
    "measures.view_measure",
    "measures.view_track",
    "measures.view_applicationwindow",
    "applications.view_application",
    "applications.view_transitionlog",
    "reviews.view_review",
]
ROLE_PERMISSIONS = {
    ENTERPRISE: [],
    DISTRICT_REVIEWER: list(_REVIEWER_PERMISSIONS),
    MUNICIPAL_REVIEWER: list(_REVIEWER_PERMISSIONS),
    FINANCE: [
        "measures.view_measure",
        "measures.view_applicationwindow",
        "applications.view_application",
        "applications.view_transitionlog",
        "reviews.view_review",
        "disbursements.view_disbursementbatch",
        "disbursements.add_disbursementbatch",
        "disbursements.change_disbursementbatch",
        "disbursements.view_batchexport",
    ],
    # Who may do what: officials' roles and scopes, groups, lockouts, others' passwords.
    SECURITY_ADMINISTRATOR: [
        "enterprises.view_staffmember",
        "enterprises.change_staffmember",
        ASSIGN_ROLE,
        RESET_PASSWORD,
        "enterprises.view_user",  # an enterprise user's page, to reset their password
        # A person's request to read or erase their data (个人信息保护, enterprises 0012).
        "enterprises.export_personal_data",
        "enterprises.anonymise_user",
        # A lost second factor, reset so that its holder enrols again (security 0007).
        "security.reset_second_factor",
        "auth.view_group",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.view_permission",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",  # unlocking a locked-out account
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "security.view_auditrecord",
    ],
    # Reads what was done, changes nothing: only view permissions.
    AUDITOR: [
        "security.view_auditrecord",
        "applications.view_transitionlog",
        "disbursements.view_batchlog",
        "disbursements.view_batchexport",
        "publicity.view_publicitylog",
        # Which department's data came in when, from whom, and what was rolled back.
        "departments.view_importbatch",
        # The enterprises' reports against the departments' data, and their answers.
        "enterprises.view_departmentdisagreement",
        "axes.view_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}
ADMINISTRATOR_APPS = (
    "measures",
    "departments",  # 部门数据: the sources, their imports and roll-backs
    "enterprises",
    "applications",
    "reviews",
    "notifications",
    "disbursements",
    "ratings",  # the enterprises' ratings of the service, which administrators read
    "django_celery_beat",  # beat's schedule, which administrators may change
)
# What the administrator's apps hold that is the security administrator's (三员分立).
ADMINISTRATOR_WITHHELD = (ASSIGN_ROLE, RESET_PASSWORD)


def ensure_permissions(apps) -> None:
    """Create the model permissions now: Django makes them only after every migration ran,
    and a data migration that gives them to groups needs them earlier."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_role_groups(Group, Permission) -> None:
    """Create the role groups with the permissions that exist so far; takes the models so that
    migrations can pass their historical ones. Running it again adds what is new."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            # An app migrated later gets its permissions granted by a later migration.
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
    admin_group, _created = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin_group.permissions.add(*administrator_permissions(Permission))


def administrator_permissions(Permission):
    """The administrator's permissions: those of ADMINISTRATOR_APPS but the withheld ones."""
    permissions = Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    for perm in ADMINISTRATOR_WITHHELD:
        app_label, codename = perm.split(".")
        permissions = permissions.exclude(content_type__app_label=app_label, codename=codename)
    return permissions


def user_has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def is_administrator(user) -> bool:
    """Whether ``user`` (None for nobody) is signed in as an administrator or a superuser.

    A superuser holds every permission (Django's rule) and counts as an administrator here too,
    so that the admin's pages agree with its index. Superusers are for the installation: they
    sign in only where ALLOW_SUPERUSER_LOGIN allows it, and each sign-in is alarmed
    (``security.superusers``)."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user_has_role(user, ADMINISTRATOR))
    )


def staff_role_of(user) -> str | None:
    """The one staff role ``user`` holds, or None; read from prefetched groups when there are."""
    for group in user.groups.all():
        if group.name in STAFF_ROLES:
            return group.name
    return None


def person_label(user) -> str:
    """A person as the site names them: by name, with their role where they hold one, e.g.
    王芳（区县审核员）. Reads the groups prefetched with the user where they were."""
    if user is None:
        return ""
    held = [group.name for group in user.groups.all() if group.name in ROLE_LABELS]
    name = user.get_full_name() or user.username
    return f"{name}（{ROLE_LABELS[held[0]]}）" if held else name
