"""Superusers are for the installation: their sign-in is refused, on the site and in the
admin, unless ALLOW_SUPERUSER_LOGIN is on; every attempt is in the audit trail, and an allowed
one is alarmed (critical log, mail to ADMINS)."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from enterprises.models import User
from policy_portal import roles
from security.models import AuditRecord
from tests.enterprises.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGINS = [reverse("login"), reverse("admin:login")]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, username="root", first_name="张敏")


def log_in(client, url, username):
    return client.post(url, {"username": username, "password": PASSWORD}, REMOTE_ADDR="127.0.0.1")


@pytest.mark.parametrize("url", LOGINS)
def test_a_superusers_sign_in_is_refused_and_recorded(client, superuser, url, caplog):
    with caplog.at_level(logging.WARNING, logger="security"):
        response = log_in(client, url, superuser.username)

    assert response.status_code == 200  # the form again, as for a wrong password
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    record = AuditRecord.objects.get(kind="superuser_login")
    assert record.actor_id == superuser.pk and record.detail == {"allowed": False}
    assert AuditRecord.objects.filter(kind="login_failed").exists()
    assert not AuditRecord.objects.filter(kind="login").exists()
    assert "refused" in caplog.text and "张敏（root）" in caplog.text
    assert not mail.outbox


@pytest.mark.parametrize("url", LOGINS)
def test_an_allowed_superuser_sign_in_is_recorded_and_alarmed(
    client, superuser, url, settings, caplog
):
    settings.ALLOW_SUPERUSER_LOGIN = True
    settings.ADMINS = [("安全值班", "security@example.cn")]

    with caplog.at_level(logging.CRITICAL, logger="security"):
        response = log_in(client, url, superuser.username)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)
    record = AuditRecord.objects.get(kind="superuser_login")
    assert record.actor_id == superuser.pk and record.detail == {"allowed": True}
    assert any(
        entry.levelno == logging.CRITICAL and entry.name == "security" for entry in caplog.records
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["security@example.cn"]
    # The people who read the alarm see whose account it is: the name, and the login.
    assert mail.outbox[0].subject.endswith("Superuser sign-in: 张敏（root）")
    assert "Superuser 张敏（root） signed in from 127.0.0.1" in mail.outbox[0].body


def test_the_alarm_names_an_account_without_a_name_by_its_login(client, settings):
    settings.ALLOW_SUPERUSER_LOGIN = True
    settings.ADMINS = [("安全值班", "security@example.cn")]
    UserFactory(is_staff=True, is_superuser=True, username="install")

    log_in(client, reverse("admin:login"), "install")

    assert mail.outbox[0].subject.endswith("Superuser sign-in: install")


def test_a_wrong_password_of_a_superuser_is_an_ordinary_failure(client, superuser):
    client.post(reverse("login"), {"username": "root", "password": "wrong"})
    assert not AuditRecord.objects.filter(kind="superuser_login").exists()
    assert AuditRecord.objects.filter(kind="login_failed").exists()


@pytest.mark.parametrize("url", LOGINS)
def test_the_three_administrators_sign_in_as_ever(client, url, policy):
    administrator = UserFactory(is_staff=True, roles=[roles.ADMINISTRATOR])
    response = log_in(client, url, administrator.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(administrator.pk)
    assert not AuditRecord.objects.filter(kind="superuser_login").exists()


def test_createsuperuser_still_makes_the_installations_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Install-2026-password")
    call_command("createsuperuser", interactive=False, username="install", email="ops@example.cn")
    user = User.objects.get(username="install")
    assert user.is_superuser and user.is_staff and user.check_password("Install-2026-password")
