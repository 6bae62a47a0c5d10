import pytest
from django.urls import reverse

from enterprises import roles
from enterprises.districts import District

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


def test_user_list_is_filtered_by_role(admin_client):
    enterprise_user = EnterpriseUserFactory()
    UserFactory(roles=[roles.FINANCE], is_staff=True)

    response = admin_client.get(
        reverse("admin:enterprises_user_changelist"),
        {"groups__id__exact": enterprise_user.groups.get().pk},
    )

    assert list(response.context["cl"].result_list) == [enterprise_user]


def test_user_page_picks_the_enterprise_by_autocomplete_and_shows_divisions(admin_client):
    user = EnterpriseUserFactory()

    response = admin_client.get(reverse("admin:enterprises_user_change", args=[user.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="enterprise"' in content
    assert "admin-autocomplete" in content
    assert 'name="divisions"' in content
    assert 'name="phone"' in content
    assert 'name="district"' in content


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
            "usable_password": "true",
            "password1": "Another-2024-password",
            "password2": "Another-2024-password",
            "email": "second@example.com",
            "enterprise": enterprise.pk,
            "district": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert enterprise.users.get().username == "second-user"
