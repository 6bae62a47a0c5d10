"""三员分立: the system administrator, the security administrator and the auditor are three
people, each doing only their own part, and nobody holds two roles."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from enterprises.districts import District
from enterprises.models import User
from measures.models import Division, Measure
from policy_portal import roles
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Reviewer-2026-password"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=[roles.ADMINISTRATOR], first_name="孙丽")


@pytest.fixture
def security_administrator(policy):
    return UserFactory(is_staff=True, roles=[roles.SECURITY_ADMINISTRATOR], first_name="周安")


@pytest.fixture
def auditor(policy):
    return UserFactory(is_staff=True, roles=[roles.AUDITOR], first_name="郑审")


def role_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def staff_change_form(user, **overrides) -> dict:
    data = {
        "first_name": user.first_name or "王芳",
        "username": user.username,
        "email": user.email,
        "phone": "",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# ── the groups' permissions ─────────────────────────────────────────────────────────────────


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_administrator_keeps_the_business_but_not_who_may_do_what():
    held = _perms(roles.ADMINISTRATOR)
    assert {
        "measures.change_measure",
        "measures.change_applicationwindow",
        "django_celery_beat.change_periodictask",
        "enterprises.add_staffmember",
        "enterprises.change_staffmember",
        "security.view_auditrecord",
    } <= held
    assert roles.ASSIGN_ROLE not in held and roles.RESET_PASSWORD not in held
    assert not {perm for perm in held if perm.split(".")[0] in ("auth", "axes")}


def test_the_security_administrator_decides_who_may_do_what_and_nothing_of_the_business():
    held = _perms(roles.SECURITY_ADMINISTRATOR)
    assert {
        roles.ASSIGN_ROLE,
        roles.RESET_PASSWORD,
        "auth.change_group",
        "axes.delete_accessattempt",
        "security.view_auditrecord",
    } <= held
    business = ("measures", "applications", "reviews", "disbursements", "publicity", "ratings")
    assert not {perm for perm in held if perm.split(".")[0] in business}
    assert "enterprises.add_staffmember" not in held


def test_the_auditor_only_reads():
    held = _perms(roles.AUDITOR)
    assert {
        "security.view_auditrecord",
        "applications.view_transitionlog",
        "disbursements.view_batchlog",
        "publicity.view_publicitylog",
        "axes.view_accesslog",
        "axes.view_accessattempt",
    } <= held
    assert all(perm.split(".")[1].startswith("view_") for perm in held), held


# ── one person, one role ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("held", "added"),
    [
        (roles.ADMINISTRATOR, roles.AUDITOR),
        (roles.ADMINISTRATOR, roles.SECURITY_ADMINISTRATOR),
        (roles.AUDITOR, roles.SECURITY_ADMINISTRATOR),
    ],
)
def test_no_one_holds_two_of_the_three_administrators_roles(held, added):
    user = UserFactory(is_staff=True, roles=[held])

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        user.groups.add(Group.objects.get(name=added))

    assert "不得由同一人兼任" in refused.value.messages[0]
    assert role_names(user) == {held}


def test_two_of_the_three_roles_at_once_are_refused():
    user = UserFactory(is_staff=True)
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.add(*Group.objects.filter(name__in=[roles.ADMINISTRATOR, roles.AUDITOR]))
    assert not role_names(user)


def test_a_group_given_to_people_is_refused_to_whoever_would_hold_two_roles():
    auditor = UserFactory(is_staff=True, roles=[roles.AUDITOR])
    other = UserFactory(is_staff=True)
    with pytest.raises(ValidationError), transaction.atomic():
        Group.objects.get(name=roles.ADMINISTRATOR).user_set.add(other, auditor)
    assert role_names(auditor) == {roles.AUDITOR} and not role_names(other)


def test_an_enterprise_user_cannot_hold_a_staff_role(policy):
    user = EnterpriseUserFactory()
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        user.groups.add(Group.objects.get(name=roles.FINANCE))
    assert "企业用户不得同时担任工作人员角色" in refused.value.messages[0]
    assert role_names(user) == {roles.ENTERPRISE}


def test_changing_from_one_role_to_another_is_allowed():
    user = UserFactory(is_staff=True, roles=[roles.ADMINISTRATOR])
    user.groups.remove(Group.objects.get(name=roles.ADMINISTRATOR))
    user.groups.add(Group.objects.get(name=roles.AUDITOR))
    assert role_names(user) == {roles.AUDITOR}


def test_the_staff_form_refuses_a_staff_role_to_an_enterprise_user(security_administrator):
    # An account from before the rule: an enterprise's user who was made staff by hand.
    user = EnterpriseUserFactory(is_staff=True, first_name="李四")
    client = signed_in(security_administrator)
    url = reverse("admin:enterprises_staffmember_change", args=[user.pk])

    response = client.post(url, staff_change_form(user, role=roles.FINANCE))

    assert response.status_code == 200
    assert "企业用户不得同时担任工作人员角色" in response.content.decode()
    assert role_names(user) == {roles.ENTERPRISE}


def test_the_security_administrator_cannot_change_their_own_role(security_administrator):
    client = signed_in(security_administrator)
    url = reverse("admin:enterprises_staffmember_change", args=[security_administrator.pk])

    response = client.post(url, staff_change_form(security_administrator, role=roles.ADMINISTRATOR))

    assert response.status_code == 200
    assert "不能修改自己的角色" in response.content.decode()
    assert role_names(security_administrator) == {roles.SECURITY_ADMINISTRATOR}


# ── the system administrator: accounts, never their roles ──────────────────────────────────


def test_the_administrator_adds_an_official_without_a_role(administrator, security_administrator):
    client = signed_in(administrator)
    page = client.get(reverse("admin:enterprises_staffmember_add")).content.decode()
    assert 'name="role"' not in page and 'name="district"' not in page

    response = client.post(
        reverse("admin:enterprises_staffmember_add"),
        {
            "first_name": "王芳",
            "username": "wang.fang",
            "email": "wang.fang@example.com",
            "phone": "",
            "is_active": "on",
            # Posted all the same: not part of the administrator's form.
            "role": roles.AUDITOR,
            "district": District.YUBEI,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    official = User.objects.get(username="wang.fang")
    assert official.is_staff and not role_names(official) and not official.district

    # The security administrator gives the role and the scope.
    response = signed_in(security_administrator).post(
        reverse("admin:enterprises_staffmember_change", args=[official.pk]),
        staff_change_form(official, role=roles.DISTRICT_REVIEWER, district=District.YUBEI),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    official.refresh_from_db()
    assert role_names(official) == {roles.DISTRICT_REVIEWER}
    assert official.district == District.YUBEI


def test_the_administrator_cannot_change_a_role_or_a_scope(administrator):
    reviewer = UserFactory(
        is_staff=True, roles=[roles.DISTRICT_REVIEWER], district=District.YUBEI, first_name="张敏"
    )
    client = signed_in(administrator)
    url = reverse("admin:enterprises_staffmember_change", args=[reviewer.pk])
    page = client.get(url).content.decode()
    assert 'name="role"' not in page and 'name="district"' not in page
    assert "区县审核员" in page  # shown, read-only

    response = client.post(
        url,
        staff_change_form(
            reviewer,
            email="new@example.com",
            role=roles.SECURITY_ADMINISTRATOR,
            district=District.JIANGBEI,
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    reviewer.refresh_from_db()
    assert reviewer.email == "new@example.com"  # the account is the administrator's
    assert role_names(reviewer) == {roles.DISTRICT_REVIEWER}
    assert reviewer.district == District.YUBEI


def test_the_administrator_cannot_reset_a_password(administrator):
    reviewer = UserFactory(is_staff=True, roles=[roles.FINANCE])
    client = signed_in(administrator)
    url = reverse("admin:enterprises_staffmember_password_change", args=[reviewer.pk])

    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert not reviewer.check_password(PASSWORD)
    change = client.get(reverse("admin:enterprises_staffmember_change", args=[reviewer.pk]))
    assert "重设密码" not in change.content.decode()


def test_the_security_administrator_resets_a_password(security_administrator, policy):
    user = EnterpriseUserFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = signed_in(security_administrator).post(
        url, {"password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("role", [roles.SECURITY_ADMINISTRATOR, roles.AUDITOR])
def test_the_administrator_cannot_change_the_other_administrators_accounts(administrator, role):
    other = UserFactory(is_staff=True, roles=[role], email="other@example.com")
    client = signed_in(administrator)
    url = reverse("admin:enterprises_staffmember_change", args=[other.pk])

    assert client.get(url).status_code == 200  # read, not changed
    assert client.post(url, staff_change_form(other, email="mine@example.com")).status_code == 403
    assert (
        client.post(
            reverse("admin:enterprises_staffmember_delete", args=[other.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.email == "other@example.com" and other.is_active


# ── the security administrator: nothing of the business ─────────────────────────────────────


def test_the_security_administrator_cannot_change_a_measure_a_window_or_its_budget(
    security_administrator, enterprise_user
):
    window = draft(user=enterprise_user).window
    measure = window.measure
    client = signed_in(security_administrator)

    for url in (
        reverse("admin:measures_measure_change", args=[measure.pk]),
        reverse("admin:measures_applicationwindow_change", args=[window.pk]),
        reverse("admin:measures_applicationwindow_add"),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"total_budget": "1", "title": "改"}).status_code == 403, url

    window.refresh_from_db()
    assert window.total_budget != Decimal("1")
    assert Measure.objects.get(pk=measure.pk).title == measure.title


# ── the auditor: reads, changes nothing ─────────────────────────────────────────────────────


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield f"admin:{info[0]}_{info[1]}_add", []
        yield f"admin:{info[0]}_{info[1]}_change", [1]
        yield f"admin:{info[0]}_{info[1]}_delete", [1]


def _row_counts() -> dict:
    """Rows per model, and the audit trail's record of data changes (its refusals recorded as
    security events are not changes)."""
    from security.models import AuditRecord

    counts = {
        model._meta.label: model._default_manager.count()
        for model in admin.site._registry
        if model is not AuditRecord
    }
    counts["changes"] = AuditRecord.objects.filter(kind="change").count()
    return counts


def test_the_auditor_adds_changes_and_deletes_nothing_in_the_admin(auditor, enterprise_user):
    draft(user=enterprise_user)
    Division.objects.get_or_create(code="audit-test", defaults={"name": "审计测试处"})
    client = signed_in(auditor)
    before = _row_counts()

    tried = 0
    for name, args in _admin_urls():
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue  # a model admin without the page
        tried += 1
        if not name.endswith("_change"):
            assert client.get(url).status_code == 403, f"GET {url}"
        response = client.post(url, {"post": "yes", "name": "改", "title": "改"})
        # The applications' admin answers 404 for what is out of one's scope: all, here.
        refusals = {403, 404} if name.startswith("admin:applications_application_") else {403}
        assert response.status_code in refusals, f"POST {url}: {response.status_code}"

    assert tried > 60
    assert _row_counts() == before


def test_the_auditor_reads_the_trail_the_logs_and_the_login_records(auditor, enterprise_user):
    draft(user=enterprise_user)
    client = signed_in(auditor)
    for name in (
        "admin:security_auditrecord_changelist",
        "admin:applications_transitionlog_changelist",
        "admin:disbursements_batchlog_changelist",
        "admin:publicity_publicitylog_changelist",
        "admin:axes_accesslog_changelist",
        "admin:axes_accessattempt_changelist",
        "admin:axes_accessfailurelog_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    for name in (
        "admin:applications_application_changelist",
        "admin:measures_measure_changelist",
        "admin:enterprises_staffmember_changelist",
    ):
        assert client.get(reverse(name)).status_code == 403, name


def test_every_staff_role_is_labelled_and_the_three_are_staff_roles():
    assert set(roles.THREE_ADMINISTRATORS) <= set(roles.STAFF_ROLES)
    assert all(role in roles.ROLE_LABELS for role in roles.STAFF_ROLES)
    assert apps.get_model("enterprises", "StaffMember")._meta.permissions
    assert Permission.objects.filter(codename="assign_role").exists()


@pytest.mark.parametrize("staff", [True, False])
def test_only_enterprises_reset_their_password_by_email(client, policy, staff, mailoutbox):
    """An official's password is the security administrator's to reset: the system
    administrator, who may change an official's email, cannot take the account over by mail.
    The page answers alike, telling a visitor nothing."""
    if staff:
        UserFactory(email="someone@example.com", is_staff=True, roles=[roles.DISTRICT_REVIEWER])
    else:
        EnterpriseUserFactory(email="someone@example.com")

    response = client.post(reverse("password_reset"), {"email": "someone@example.com"})

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mailoutbox) == (0 if staff else 1)
