"""People are called by their name, not their login: registration asks for it, the profile
changes it, and the header, the timeline and the emails use it."""

import pytest
from django.core import mail
from django.urls import reverse

from enterprises.models import User
from tests.enterprises.factories import EnterpriseUserFactory
from tests.enterprises.test_views import PROFILE_URL, REGISTER_URL, profile_data, registration_data

pytestmark = pytest.mark.django_db


def test_registration_asks_for_the_persons_name(client):
    content = client.get(REGISTER_URL).content.decode()

    assert 'name="first_name"' in content
    assert "联系人姓名" in content


def test_registration_without_a_name_is_refused_in_chinese(client):
    response = client.post(REGISTER_URL, registration_data(first_name="  "))

    assert response.status_code == 200
    assert "请填写联系人姓名。" in response.content.decode()
    assert not User.objects.filter(username="jinggong").exists()


def test_registration_keeps_the_name_and_the_header_shows_it(client):
    client.post(REGISTER_URL, registration_data(first_name="李四"))

    user = User.objects.get(username="jinggong")
    assert user.first_name == "李四"
    content = client.get(PROFILE_URL).content.decode()
    assert "退出（李四）" in content
    assert "退出（jinggong）" not in content


def test_the_profile_changes_the_name(client):
    user = EnterpriseUserFactory(first_name="李四")
    client.force_login(user)

    assert 'value="李四"' in client.get(PROFILE_URL).content.decode()
    response = client.post(PROFILE_URL, profile_data(first_name="王五"))

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).first_name == "王五"
    assert "退出（王五）" in client.get(PROFILE_URL).content.decode()


def test_the_profile_refuses_an_empty_name_in_chinese(client):
    user = EnterpriseUserFactory(first_name="李四")
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_data(first_name=""))

    assert response.status_code == 200
    assert "请填写联系人姓名。" in response.content.decode()
    assert User.objects.get(pk=user.pk).first_name == "李四"


def test_a_user_without_a_name_is_still_shown_by_username(client):
    user = EnterpriseUserFactory(username="acc-direct-1207", first_name="")
    client.force_login(user)

    assert "退出（acc-direct-1207）" in client.get(PROFILE_URL).content.decode()


def test_the_password_reset_email_greets_by_name_and_still_tells_the_login(client):
    EnterpriseUserFactory(username="demo-district", first_name="张敏", email="zm@example.com")

    client.post(reverse("password_reset"), {"email": "zm@example.com"})

    body = mail.outbox[0].body
    assert body.startswith("张敏，您好：")
    assert "demo-district，您好" not in body
    assert "您的登录用户名是：demo-district" in body
