"""新增工作人员: one form, the role deciding staff status, group and scope."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from enterprises.districts import District
from enterprises.models import User
from measures.models import Division
from policy_portal import roles

from .factories import EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Reviewer-2026-password"
ADD = "admin:enterprises_staffmember_add"


@pytest.fixture
def administrator_client():
    administrator = UserFactory(roles=[roles.ADMINISTRATOR], is_staff=True)
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def security_client():
    """The security administrator (安全管理员), who gives officials their role and scope."""
    client = Client()
    client.force_login(UserFactory(roles=[roles.SECURITY_ADMINISTRATOR], is_staff=True))
    return client


# The whole form, role included, as the installation's superuser fills it for the first
# officials (pytest-django's ``admin_client``); afterwards the administrator adds an official
# and the security administrator gives the role (tests/security/test_separation_of_duties.py).


@pytest.fixture
def division():
    return Division.objects.create(code="test-division", name="测试产业处")


def staff_form(**overrides):
    data = {
        "first_name": "王芳",
        "username": "wang.fang",
        "email": "wang.fang@example.com",
        "phone": "13800138001",
        "role": roles.DISTRICT_REVIEWER,
        "district": District.YUBEI,
        "is_active": "on",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def assert_consistent(user: User) -> None:
    """What the site needs of every account: staff have a role, and a reviewer the scope."""
    names = set(user.groups.values_list("name", flat=True))
    staff_roles = names & set(roles.STAFF_ROLES)
    if user.is_staff:
        assert len(staff_roles) == 1 or (user.is_superuser and not staff_roles), (user, names)
    else:
        assert not staff_roles, (user, names)
    if roles.DISTRICT_REVIEWER in names:
        assert user.district
    if roles.MUNICIPAL_REVIEWER in names:
        assert user.divisions.exists()


def test_the_superuser_adds_a_district_reviewer_who_works_at_once(admin_client):
    page = admin_client.get(reverse(ADD))
    content = page.content.decode()
    assert "新增工作人员" in content
    assert "区县审核员" in content and "district_reviewer<" not in content
    assert "After you" not in content

    response = admin_client.post(reverse(ADD), staff_form())

    assert response.status_code == 302, response.context["adminform"].form.errors
    reviewer = User.objects.get(username="wang.fang")
    assert reviewer.is_staff and reviewer.is_active
    assert reviewer.get_full_name() == "王芳"
    assert list(reviewer.groups.values_list("name", flat=True)) == [roles.DISTRICT_REVIEWER]
    assert reviewer.district == District.YUBEI
    assert_consistent(reviewer)

    reviewer_client = Client()
    login = reviewer_client.post(
        reverse("admin:login"), {"username": "wang.fang", "password": PASSWORD}
    )
    assert login.status_code == 302
    # The first sign-in enrols an authenticator (the second factor) ...
    worklist = reverse("admin:applications_application_changelist")
    assert reviewer_client.get(worklist)["Location"].startswith(reverse("security:enrol"))
    reviewer_client.get(reverse("security:enrol"))
    device = TOTPDevice.objects.get(user=reviewer)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    reviewer_client.post(reverse("security:enrol"), {"code": f"{code:06d}"})
    # ... then the initial password is the administrator's: the reviewer's own comes first.
    worklist = reviewer_client.get(reverse("admin:applications_application_changelist"))
    assert worklist.status_code == 302
    assert worklist["Location"] == reverse("admin:password_change")
    changed = reviewer_client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Reviewer-own-2026",
            "new_password2": "Reviewer-own-2026",
        },
    )
    assert changed.status_code == 302
    worklist = reviewer_client.get(reverse("admin:applications_application_changelist"))
    assert worklist.status_code == 200


def test_a_municipal_reviewer_gets_divisions_and_no_district(admin_client, division):
    response = admin_client.post(
        reverse(ADD),
        staff_form(role=roles.MUNICIPAL_REVIEWER, district=District.YUBEI, divisions=[division.pk]),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    reviewer = User.objects.get(username="wang.fang")
    assert list(reviewer.divisions.all()) == [division]
    assert reviewer.district == ""
    assert_consistent(reviewer)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"district": ""}, "district"),
        ({"role": roles.MUNICIPAL_REVIEWER, "district": ""}, "divisions"),
        ({"role": ""}, "role"),
        ({"role": "enterprise"}, "role"),
        ({"first_name": ""}, "first_name"),
        ({"email": ""}, "email"),
        ({"password2": "something-else-2026"}, "password2"),
    ],
)
def test_an_incomplete_official_is_refused_in_chinese(admin_client, overrides, field):
    response = admin_client.post(reverse(ADD), staff_form(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not User.objects.filter(username="wang.fang").exists()


def test_changing_the_role_moves_the_group_and_clears_the_old_scope(security_client, division):
    reviewer = UserFactory(
        roles=[roles.DISTRICT_REVIEWER], is_staff=True, district=District.YUBEI, first_name="赵六"
    )
    url = reverse("admin:enterprises_staffmember_change", args=[reviewer.pk])

    page = security_client.get(url)
    assert 'value="district_reviewer" selected' in page.content.decode()

    response = security_client.post(
        url,
        {
            "first_name": "赵六",
            "username": reviewer.username,
            "email": reviewer.email,
            "role": roles.MUNICIPAL_REVIEWER,
            "district": District.YUBEI,
            "divisions": [division.pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    reviewer.refresh_from_db()
    assert list(reviewer.groups.values_list("name", flat=True)) == [roles.MUNICIPAL_REVIEWER]
    assert reviewer.district == ""
    assert_consistent(reviewer)


def test_an_enterprise_account_cannot_be_made_staff_in_the_user_admin(administrator_client):
    user = EnterpriseUserFactory()

    administrator_client.post(
        reverse("admin:enterprises_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": "",
            "email": user.email,
            "enterprise": user.enterprise.pk,
            "is_active": "on",
            "is_staff": "on",
            "groups": [1, 2, 3],
            "district": District.YUBEI,
        },
    )

    user.refresh_from_db()
    assert not user.is_staff
    assert user.district == ""
    assert_consistent(user)


def test_the_staff_list_names_roles_and_scopes_in_chinese_in_fixed_queries(
    administrator_client, division, django_assert_max_num_queries
):
    UserFactory(roles=[roles.DISTRICT_REVIEWER], is_staff=True, district=District.JIANGBEI)
    municipal = UserFactory(roles=[roles.MUNICIPAL_REVIEWER], is_staff=True)
    municipal.divisions.add(division)
    url = reverse("admin:enterprises_staffmember_changelist")
    administrator_client.get(url)
    with django_assert_max_num_queries(12) as few:
        administrator_client.get(url)
    for _ in range(10):
        UserFactory(roles=[roles.FINANCE], is_staff=True)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = administrator_client.get(url)

    content = response.content.decode()
    for text in ("区县审核员", "市级审核员", "财务人员", "系统管理员", "江北区", "测试产业处"):
        assert text in content
    filtered = administrator_client.get(url, {"role": roles.FINANCE})
    assert {roles.staff_role_of(u) for u in filtered.context["cl"].result_list} == {roles.FINANCE}


def test_the_demo_accounts_are_consistent(db):
    from django.core.management import call_command

    call_command("load_policy", verbosity=0)
    call_command("seed_demo", verbosity=0)

    for user in User.objects.all():
        assert_consistent(user)


def test_an_administrator_cannot_take_over_a_superuser(administrator_client):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    change = reverse("admin:enterprises_staffmember_change", args=[superuser.pk])

    posted = administrator_client.post(
        change, staff_form(username=superuser.username, email="mine@example.com", role="finance")
    )
    password = administrator_client.post(
        reverse("admin:enterprises_staffmember_password_change", args=[superuser.pk]),
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    delete = administrator_client.post(
        reverse("admin:enterprises_staffmember_delete", args=[superuser.pk]), {"post": "yes"}
    )

    assert (posted.status_code, password.status_code, delete.status_code) == (403, 403, 403)
    superuser.refresh_from_db()
    assert superuser.email == "root@example.com"
    assert not superuser.check_password(PASSWORD)
    assert not superuser.groups.exists()


def test_a_superuser_edits_a_superuser_without_giving_a_role(admin_client):
    other = UserFactory(is_staff=True, is_superuser=True, first_name="钱七")

    response = admin_client.post(
        reverse("admin:enterprises_staffmember_change", args=[other.pk]),
        staff_form(username=other.username, role="", password1=None, password2=None),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.is_superuser and not other.groups.exists()
    assert other.district == ""


def test_a_rename_to_another_accounts_username_in_other_case_is_refused(administrator_client):
    EnterpriseUserFactory(username="acme")
    official = UserFactory(roles=[roles.FINANCE], is_staff=True)

    response = administrator_client.post(
        reverse("admin:enterprises_staffmember_change", args=[official.pk]),
        staff_form(username="ACME", role=roles.FINANCE, password1=None, password2=None),
    )

    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    official.refresh_from_db()
    assert official.username != "ACME"


def test_accounts_made_staff_without_a_role_lose_staff_status_when_migrated():
    from importlib import import_module

    from django.apps import apps as global_apps

    migration = import_module("enterprises.migrations.0006_staff_have_roles")
    roleless = UserFactory(is_staff=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    reviewer = UserFactory(roles=[roles.FINANCE], is_staff=True)

    migration.staff_without_a_role_is_not_staff(global_apps, None)

    for user in (roleless, superuser, reviewer):
        user.refresh_from_db()
    assert (roleless.is_staff, superuser.is_staff, reviewer.is_staff) == (False, True, True)
