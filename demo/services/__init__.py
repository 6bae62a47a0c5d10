"""Demo data for a first run: one account per role, a few enterprises, open windows."""

from django.db import transaction

from applications.models import Application
from enterprises.models import User
from measures.models import Division, Measure
from policy_portal import roles

from .accounts import DEMO_DISTRICT, DEMO_MUNICIPAL_DIVISIONS, _account, _three_administrators
from .applications import (
    DEMO_APPLICATIONS,
    DEMO_FINISHED_APPLICATIONS,
    _demo_applications,
    _demo_finished_applications,
)
from .common import DEMO_PDF, DEMO_WINDOW_BUDGET, DEMO_WINDOW_DAYS, DemoReport
from .departments import _demo_departments
from .enterprises import (
    DEMO_ENTERPRISES,
    DEMO_FILE_CLASSIFICATION,
    DEMO_FILE_FIGURES,
    DEMO_FILE_RECOGNITIONS,
    _demo_file,
    _enterprise,
    _library,
)
from .policy import (
    DEMO_CONTACT_ADDRESS,
    DEMO_CONTACT_PHONE,
    DEMO_OFFICE_HOURS,
    _demo_proposal,
    _division_contacts,
    _windows,
)
from .publicity import DEMO_OPEN_PUBLICITY, DEMO_UNPUBLICISED, _demo_publicity
from .second_factor import _demo_second_factors

__all__ = [
    "DEMO_APPLICATIONS",
    "DEMO_CONTACT_ADDRESS",
    "DEMO_CONTACT_PHONE",
    "DEMO_DISTRICT",
    "DEMO_ENTERPRISES",
    "DEMO_FILE_CLASSIFICATION",
    "DEMO_FILE_FIGURES",
    "DEMO_FILE_RECOGNITIONS",
    "DEMO_FINISHED_APPLICATIONS",
    "DEMO_MUNICIPAL_DIVISIONS",
    "DEMO_OFFICE_HOURS",
    "DEMO_OPEN_PUBLICITY",
    "DEMO_PDF",
    "DEMO_UNPUBLICISED",
    "DEMO_WINDOW_BUDGET",
    "DEMO_WINDOW_DAYS",
    "DemoReport",
    "demo_seed",
]


@transaction.atomic
def demo_seed(*, password: str) -> DemoReport:
    """Create what a first run needs to try every role; running it again changes nothing."""
    if not Measure.objects.exists():
        raise LookupError("load the policy first (manage.py load_policy)")
    report = DemoReport()
    enterprises = [_enterprise(*row, report) for row in DEMO_ENTERPRISES]
    demo_enterprise = enterprises[0]

    enterprise_user = _account(
        "demo-enterprise",
        roles.ENTERPRISE,
        report,
        password=password,
        scope=demo_enterprise.name,
        enterprise=demo_enterprise,
        email="enterprise@example.com",
        first_name="刘洋",
    )
    _account(
        "demo-district",
        roles.DISTRICT_REVIEWER,
        report,
        password=password,
        scope=demo_enterprise.get_district_display(),
        district=DEMO_DISTRICT,
        is_staff=True,
        email="district@example.com",
        first_name="张敏",
    )
    municipal = _account(
        "demo-municipal",
        roles.MUNICIPAL_REVIEWER,
        report,
        password=password,
        scope="、".join(
            Division.objects.filter(code__in=DEMO_MUNICIPAL_DIVISIONS).values_list(
                "name", flat=True
            )
        ),
        is_staff=True,
        email="municipal@example.com",
        first_name="王磊",
    )
    municipal.divisions.add(*Division.objects.filter(code__in=DEMO_MUNICIPAL_DIVISIONS))
    _account(
        "demo-finance",
        roles.FINANCE,
        report,
        password=password,
        scope="制单 (prepares batches)",
        is_staff=True,
        email="finance@example.com",
        first_name="陈静",
    )
    _account(
        "demo-finance-2",
        roles.FINANCE,
        report,
        password=password,
        scope="复核 (confirms the payment of demo-finance's batches)",
        is_staff=True,
        email="finance2@example.com",
        first_name="赵强",
    )

    _account(
        "demo-admin",
        roles.ADMINISTRATOR,
        report,
        password=password,
        is_staff=True,
        email="admin@example.com",
        first_name="孙丽",
    )
    # 三员分立: the security and audit administrators beside the system administrator; none
    # is a superuser (a superuser signs in only for the installation).
    _three_administrators(report, password=password)

    _demo_second_factors(report)
    _library(enterprise_user, report)
    _windows(report)
    _demo_file(User.objects.get(username="demo-enterprise"), report)
    _demo_departments(report)
    _demo_proposal(report)
    _division_contacts(report)
    applicants = {
        username: _account(
            username,
            roles.ENTERPRISE,
            report,
            password=password,
            scope=enterprise.name,
            enterprise=enterprise,
            email=f"{username.removeprefix('demo-')}@example.com",
            first_name=name,
        )
        for username, enterprise, name in (
            ("demo-enterprise-2", enterprises[4], "周杰"),
            ("demo-enterprise-3", enterprises[5], "吴芳"),
        )
    }
    district = User.objects.get(username="demo-district")
    for username, user in applicants.items():
        if not Application.objects.filter(enterprise=user.enterprise).exists():
            _demo_applications(user, DEMO_APPLICATIONS[username], district, municipal, report)
    _demo_publicity(User.objects.get(username="demo-admin"), report)
    _demo_finished_applications(enterprise_user, district, municipal, report)
    return report
