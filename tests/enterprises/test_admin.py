import pytest
from django.urls import reverse

from enterprises.districts import District
from policy_portal import roles

from .factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_enterprise_list_shows_code_and_classification(admin_client):
    enterprise = EnterpriseFactory(name="重庆列表测试有限公司")

    response = admin_client.get(reverse("admin:enterprises_enterprise_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "重庆列表测试有限公司" in content
    assert enterprise.credit_code in content
    assert "渝北区" in content


def test_enterprise_list_is_searched_by_credit_code(admin_client):
    wanted = EnterpriseFactory(name="重庆要找的公司")
    EnterpriseFactory(name="重庆不要的公司")

    response = admin_client.get(
        reverse("admin:enterprises_enterprise_changelist"), {"q": wanted.credit_code[:14]}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_enterprise_list_is_filtered_by_district(admin_client):
    EnterpriseFactory(district=District.YUBEI)
    jiangbei = EnterpriseFactory(district=District.JIANGBEI)

    response = admin_client.get(
        reverse("admin:enterprises_enterprise_changelist"), {"district": District.JIANGBEI}
    )

    assert list(response.context["cl"].result_list) == [jiangbei]


def test_the_user_list_holds_enterprises_accounts_and_officials_are_listed_apart(admin_client):
    enterprise_user = EnterpriseUserFactory()
    official = UserFactory(roles=[roles.FINANCE], is_staff=True)

    users = admin_client.get(reverse("admin:enterprises_user_changelist"))
    staff = admin_client.get(reverse("admin:enterprises_staffmember_changelist"))

    assert enterprise_user in users.context["cl"].result_list
    assert official.pk not in [u.pk for u in users.context["cl"].result_list]
    assert official.pk in [u.pk for u in staff.context["cl"].result_list]


def test_an_enterprise_account_page_offers_neither_staff_status_nor_roles(admin_client):
    user = EnterpriseUserFactory()

    response = admin_client.get(reverse("admin:enterprises_user_change", args=[user.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="enterprise"' in content
    assert "admin-autocomplete" in content
    assert 'name="phone"' in content
    for field in (
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "district",
        "divisions",
    ):
        assert f'name="{field}"' not in content


def test_enterprise_autocomplete_finds_by_name(admin_client):
    EnterpriseFactory(name="重庆自动补全有限公司")
    EnterpriseFactory(name="重庆其他有限公司")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "自动补全",
            "app_label": "enterprises",
            "model_name": "user",
            "field_name": "enterprise",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["重庆自动补全有限公司"]


def test_admin_can_create_a_user_for_an_enterprise(admin_client):
    enterprise = EnterpriseFactory()

    response = admin_client.post(
        reverse("admin:enterprises_user_add"),
        {
            "username": "second-user",
            "password1": "Another-2024-password",
            "password2": "Another-2024-password",
            "first_name": "李四",
            "email": "second@example.com",
            "enterprise": enterprise.pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = enterprise.users.get()
    assert user.username == "second-user"
    assert not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [roles.ENTERPRISE]


def test_an_enterprise_account_needs_its_enterprise(admin_client):
    response = admin_client.post(
        reverse("admin:enterprises_user_add"),
        {
            "username": "orphan",
            "password1": "Another-2024-password",
            "password2": "Another-2024-password",
            "email": "orphan@example.com",
        },
    )

    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
