"""The demo's accounts: one per role, with the scope each one works in."""

from django.contrib.auth.models import Group

from enterprises.districts import District
from enterprises.models import User
from policy_portal import roles

DEMO_DISTRICT = District.YUBEI
DEMO_MUNICIPAL_DIVISIONS = ("economic-operation", "automotive", "electronics", "equipment")


def _account(username, role, report, *, password, scope="", **attrs) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=attrs)
    changed = created
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    if created:
        report.created.append(f"user {username}")
    user.groups.add(Group.objects.get(name=role))
    report.accounts.append((username, str(roles.ROLE_LABELS[role]), scope))
    return user


def _three_administrators(report, *, password) -> None:
    """demo-security (安全管理员) and demo-auditor (审计管理员), beside demo-admin. A demo-admin
    seeded before 三员分立 was a superuser: it is the system administrator alone now."""
    User.objects.filter(username="demo-admin", is_superuser=True).update(is_superuser=False)
    _account(
        "demo-security",
        roles.SECURITY_ADMINISTRATOR,
        report,
        password=password,
        is_staff=True,
        email="security@example.com",
        first_name="周安",
    )
    _account(
        "demo-auditor",
        roles.AUDITOR,
        report,
        password=password,
        is_staff=True,
        email="auditor@example.com",
        first_name="郑审",
    )
