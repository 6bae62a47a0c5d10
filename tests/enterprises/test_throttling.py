"""Login throttling (django-axes) and the rate limits on registration and password reset.

Failed logins are counted per username and per client address, on the site's login page and the
admin's alike; past the limit even the right password is refused until the lockout ends.
"""

import logging
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.enterprises.factories import EnterpriseUserFactory, UserFactory
from tests.enterprises.test_views import REGISTER_URL, registration_data

PASSWORD = "correct-horse-battery"
LOGIN_URL = reverse("login")
ADMIN_LOGIN_URL = reverse("admin:login")


def client_address() -> str:
    """An address no other test or run uses: the rate limits count in a shared cache."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"


def log_in(client, url, username, password, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, url, username, times, address="127.0.0.1"):
    for _ in range(times):
        response = log_in(client, url, username, "wrong-password", address)
        # The form again with its error; the failure that reaches the limit is answered with
        # the lockout page already.
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_the_right_password_is_refused_once_a_user_failed_too_often(client, enterprise_user, limit):
    fail(client, LOGIN_URL, enterprise_user.username, limit)

    response = log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "登录已暂时锁定" in body and "15 分钟后再试" in body


def test_the_superuser_is_locked_out_of_the_admin_too(client, policy, limit):
    admin = UserFactory(is_staff=True, is_superuser=True)
    fail(client, ADMIN_LOGIN_URL, admin.username, limit)

    response = log_in(client, ADMIN_LOGIN_URL, admin.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_failures_on_the_admin_and_the_site_count_together(client, district_reviewer, limit):
    fail(client, ADMIN_LOGIN_URL, district_reviewer.username, limit - 1)
    fail(client, LOGIN_URL, district_reviewer.username, 1)

    assert log_in(client, LOGIN_URL, district_reviewer.username, PASSWORD).status_code == 429


def test_one_address_trying_many_usernames_is_locked_out(client, policy, limit):
    users = EnterpriseUserFactory.create_batch(limit + 1)
    for user in users[:limit]:
        fail(client, LOGIN_URL, user.username, 1, address="203.0.113.9")

    # Another user's right password from that address is refused; from elsewhere it works.
    assert log_in(client, LOGIN_URL, users[-1].username, PASSWORD, "203.0.113.9").status_code == 429
    response = log_in(client, LOGIN_URL, users[-1].username, PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[-1].pk)


def test_a_user_failing_from_many_addresses_is_locked_out(client, enterprise_user, limit):
    for n in range(limit):
        fail(client, LOGIN_URL, enterprise_user.username, 1, address=f"203.0.113.{n + 1}")

    assert (
        log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD, "198.51.100.7").status_code
        == 429
    )


def test_fewer_failures_than_the_limit_and_a_success_start_the_count_again(
    client, enterprise_user, limit
):
    fail(client, LOGIN_URL, enterprise_user.username, limit - 1)
    assert log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, LOGIN_URL, enterprise_user.username, limit - 1)

    assert log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, enterprise_user, limit, settings):
    fail(client, LOGIN_URL, enterprise_user.username, limit)
    assert log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD).status_code == 429

    # As if the cool-off had passed since the last failure.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert log_in(client, LOGIN_URL, enterprise_user.username, PASSWORD).status_code == 302


def test_failures_are_recorded_and_logged_without_the_password(
    client, enterprise_user, limit, caplog
):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, LOGIN_URL, enterprise_user.username, limit)

    attempt = AccessAttempt.objects.get(username=enterprise_user.username)
    assert attempt.failures_since_start == limit
    assert "wrong-password" not in attempt.post_data
    assert any("locking out" in message.lower() for message in caplog.messages)
    assert all("wrong-password" not in message for message in caplog.messages)


# ── forms an anonymous visitor can send again and again ─────────────────────────────────────


def test_registration_is_rate_limited_per_address(client, policy, settings):
    settings.REGISTRATION_RATE = "3/h"
    address = client_address()
    for n in range(3):
        response = client.post(
            REGISTER_URL, registration_data(username="x", password2="mismatch"), REMOTE_ADDR=address
        )
        assert response.status_code == 200, n

    response = client.post(REGISTER_URL, registration_data(), REMOTE_ADDR=address)

    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    # Refused before the form is read: nothing was registered.
    from enterprises.models import Enterprise

    assert not Enterprise.objects.filter(name=registration_data()["name"]).exists()
    # Another address, and the page itself, are not affected.
    assert client.get(REGISTER_URL, REMOTE_ADDR=address).status_code == 200
    assert (
        client.post(REGISTER_URL, registration_data(), REMOTE_ADDR=client_address()).status_code
        == 302
    )


def test_password_reset_is_rate_limited_per_address_and_per_email(
    client, enterprise_user, settings
):
    settings.PASSWORD_RESET_RATE = "2/h"
    url = reverse("password_reset")
    address = client_address()
    email = f"{uuid.uuid4().hex}@example.com"
    enterprise_user.email = email
    enterprise_user.save()

    for _ in range(2):
        assert client.post(url, {"email": email}, REMOTE_ADDR=address).status_code == 302
    refused = client.post(url, {"email": email}, REMOTE_ADDR=address)
    # The same mailbox asked for from another address is refused too.
    also_refused = client.post(url, {"email": email}, REMOTE_ADDR=client_address())

    assert refused.status_code == also_refused.status_code == 429
    assert len(mail.outbox) == 2
    assert client.get(url, REMOTE_ADDR=address).status_code == 200
