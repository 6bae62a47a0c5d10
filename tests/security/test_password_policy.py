"""The password policy (GB/T 22239-2019 第三级, 身份鉴别): officials' passwords of 12 characters
and three kinds, changed every 90 days; no one's last five again; a password someone else set
is changed at the first sign-in, before any other page."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.models import User
from policy_portal import roles
from security.models import AuditRecord, PasswordHistory
from security.passwords.validators import OfficialPasswordValidator
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory
from tests.zh_hans import english_on_page

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories'
OWN = "Reviewer-own-2026"
CHANGE = reverse("admin:password_change")


def refusals(password, user) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return error.messages
    return []


def official(**kwargs) -> User:
    return UserFactory(is_staff=True, roles=[roles.FINANCE], **kwargs)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ── the rules ──────────────────────────────────────────────────────────────────────────────


def test_an_officials_short_password_is_refused_in_chinese():
    assert refusals("Qx7-mount", official()) == ["工作人员的密码至少需要 12 个字符。"]


def test_an_officials_password_of_two_kinds_is_refused_in_chinese():
    assert refusals("chongqing-subsidy-policy", official()) == [
        "工作人员的密码须包含大写字母、小写字母、数字、符号中的至少 3 类。"
    ]


def test_an_officials_password_of_12_characters_and_three_kinds_is_taken():
    assert refusals("Qx7mountainRv", official()) == []
    assert refusals("qx7-mountain", official()) == []


def test_an_enterprise_keeps_the_rules_it_had():
    enterprise_user = EnterpriseUserFactory()

    assert refusals("qx7-mount", enterprise_user) == []
    assert refusals("chongqing-subsidy-policy", enterprise_user) == []


def test_the_change_page_refuses_an_officials_weak_password_with_the_reason():
    user = official()

    response = signed_in(user).post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": "short-1", "new_password2": "short-1"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "工作人员的密码至少需要 12 个字符。" in content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_new_officials_form_applies_the_officials_rules(admin_client):
    from tests.enterprises.test_staff_admin import staff_form

    response = admin_client.post(
        reverse("admin:enterprises_staffmember_add"),
        staff_form(password1="qx7-mount-1", password2="qx7-mount-1"),
    )

    assert response.status_code == 200
    assert "工作人员的密码至少需要 12 个字符。" in response.content.decode()
    assert not User.objects.filter(username="wang.fang").exists()


def test_the_help_text_names_the_rules():
    text = OfficialPasswordValidator().get_help_text()

    assert "12" in text and "3 类" in text and "90 天" in text


def test_the_demo_password_meets_the_officials_rules(settings):
    OfficialPasswordValidator().validate(settings.DEMO_PASSWORD, user=User(is_staff=True))


# ── the last five ──────────────────────────────────────────────────────────────────────────


def _set(user, password):
    user.set_password(password)
    user.save()


def test_none_of_the_last_five_passwords_again_but_the_sixth_back_is_allowed():
    user = EnterpriseUserFactory()  # its first password: PASSWORD
    later = [f"Later-password-{n}" for n in range(1, 6)]
    for password in later:
        _set(user, password)

    for password in later:
        assert refusals(password, user) == ["新密码不能与最近 5 次使用过的密码相同。"]
    assert refusals(PASSWORD, user) == []


def test_the_history_keeps_five_hashes_and_never_a_password():
    user = official()
    for n in range(1, 8):
        _set(user, f"Later-password-{n}")

    kept = PasswordHistory.objects.filter(user=user)
    assert kept.count() == 5
    assert all(entry.password.startswith("md5$") for entry in kept)
    assert not kept.filter(password__contains="Later").exists()


def test_an_account_from_before_the_history_cannot_set_its_current_password_again():
    user = EnterpriseUserFactory()
    PasswordHistory.objects.filter(user=user).delete()

    assert refusals(PASSWORD, user) == ["新密码不能与最近 5 次使用过的密码相同。"]


def test_the_change_page_refuses_a_reused_password():
    user = EnterpriseUserFactory()
    _set(user, "Later-password-1")

    response = signed_in(user).post(
        reverse("password_change"),
        {
            "old_password": "Later-password-1",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )

    assert "新密码不能与最近 5 次使用过的密码相同。" in response.content.decode()


# ── the initial password ───────────────────────────────────────────────────────────────────


def _set_by_administrator(user):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    url = (
        reverse("admin:enterprises_staffmember_password_change", args=[user.pk])
        if user.is_staff
        else reverse("admin:auth_user_password_change", args=[user.pk])
    )
    response = signed_in(administrator).post(
        url, {"password1": "Given-by-admin-2026", "password2": "Given-by-admin-2026"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()  # signed in below with the password's new hash
    return administrator


def test_a_password_set_by_an_administrator_is_an_initial_one():
    user = official()
    _set_by_administrator(user)

    latest = PasswordHistory.objects.filter(user=user).latest("set_at")
    assert latest.initial


def test_a_password_set_by_its_holder_registration_or_a_command_is_not():
    user = official()
    call_command("seed_demo", verbosity=0)

    assert not PasswordHistory.objects.filter(user=user).get().initial
    assert not PasswordHistory.objects.filter(initial=True).exists()


def test_a_registered_enterprise_works_at_once(client, policy):
    from tests.enterprises.test_views import REGISTER_URL, registration_data

    response = client.post(REGISTER_URL, registration_data())

    assert response.status_code == 302
    user = User.objects.get(username="jinggong")
    assert not PasswordHistory.objects.get(user=user).initial
    assert client.get(reverse("applications:home")).status_code == 200


def test_a_password_set_by_its_holder_through_a_reset_email_is_not_initial(client):
    import re

    from django.core import mail

    user = EnterpriseUserFactory(email="reset@example.com")
    _set_by_administrator(user)
    client.post(reverse("password_reset"), {"email": "reset@example.com"})
    link = re.search(r"https?://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": OWN, "new_password2": OWN})

    assert not PasswordHistory.objects.filter(user=user).latest("set_at").initial


def test_an_official_with_an_initial_password_reaches_no_page_before_changing_it():
    user = official()
    _set_by_administrator(user)
    client = signed_in(user)
    pages = [
        reverse("admin:index"),
        reverse("admin:disbursements_disbursementbatch_changelist"),
        reverse("admin:applications_application_changelist"),
        reverse("dashboard:index"),
        reverse("measures:catalogue"),
        reverse("notifications:list"),
        reverse("api:measure-list"),
        reverse("admin:enterprises_staffmember_password_change", args=[user.pk]),
    ]

    for page in pages:
        response = client.get(page)
        assert (response.status_code, response.get("Location")) == (302, CHANGE), page
    assert (
        client.post(reverse("admin:disbursements_disbursementbatch_add"), {}).get("Location")
        == CHANGE
    )

    change_page = client.get(CHANGE)
    content = change_page.content.decode()
    assert change_page.status_code == 200
    assert "您正在使用他人设置的初始密码，请先修改密码后再继续使用。" in content
    assert not english_on_page(content)

    changed = client.post(
        CHANGE,
        {"old_password": "Given-by-admin-2026", "new_password1": OWN, "new_password2": OWN},
    )
    assert changed.status_code == 302
    for page in pages:
        assert client.get(page).get("Location") != CHANGE, page
    assert client.get(reverse("admin:index")).status_code == 200
    assert not PasswordHistory.objects.filter(user=user).latest("set_at").initial


def test_the_forced_change_is_on_the_audit_trail():
    user = official()
    administrator = _set_by_administrator(user)
    client = signed_in(user)

    client.post(
        CHANGE,
        {"old_password": "Given-by-admin-2026", "new_password1": OWN, "new_password2": OWN},
    )

    records = AuditRecord.objects.filter(kind="password_changed", object_id=str(user.pk))
    # The factory's password first (no one's), then the administrator's, then the holder's own.
    assert [record.actor for record in records.order_by("id")][-2:] == [administrator, user]


def test_an_enterprise_with_an_initial_password_changes_it_on_the_site_first():
    user = EnterpriseUserFactory()
    _set_by_administrator(user)
    client = signed_in(user)

    for page in (reverse("applications:home"), reverse("admin:index"), "/api/measures/"):
        response = client.get(page)
        assert (response.status_code, response.get("Location")) == (
            302,
            reverse("password_change"),
        ), page
    assert client.get(reverse("password_change")).status_code == 200

    client.post(
        reverse("password_change"),
        {"old_password": "Given-by-admin-2026", "new_password1": OWN, "new_password2": OWN},
    )
    assert client.get(reverse("applications:home")).status_code == 200


def test_signing_out_is_allowed_with_an_initial_password():
    user = official()
    _set_by_administrator(user)
    client = signed_in(user)

    response = client.post(reverse("admin:logout"))

    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


def test_the_demo_accounts_are_not_sent_to_change_their_password(settings):
    call_command("seed_demo", verbosity=0)
    client = Client()

    for username in ("demo-district", "demo-admin", "demo-finance"):
        assert client.login(
            request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD
        )
        assert client.get(reverse("admin:index")).status_code == 200, username
    assert client.login(
        request=HttpRequest(), username="demo-enterprise", password=settings.DEMO_PASSWORD
    )
    assert client.get(reverse("applications:home")).status_code == 200


# ── 90 days ────────────────────────────────────────────────────────────────────────────────


def _aged(user, days: int) -> None:
    PasswordHistory.objects.filter(user=user).update(set_at=timezone.now() - timedelta(days=days))


def test_an_officials_password_of_91_days_is_changed_first():
    user = official()
    _aged(user, 91)
    client = signed_in(user)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain == [(CHANGE, 302)]
    assert "您的密码已超过 90 天未修改，请先修改密码后再继续使用。" in response.content.decode()
    client.post(CHANGE, {"old_password": PASSWORD, "new_password1": OWN, "new_password2": OWN})
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_officials_password_of_89_days_is_still_good():
    user = official()
    _aged(user, 89)

    assert signed_in(user).get(reverse("admin:index")).status_code == 200


def test_an_enterprises_old_password_is_not_forced():
    user = EnterpriseUserFactory()
    _aged(user, 400)

    assert signed_in(user).get(reverse("applications:home")).status_code == 200


def test_the_age_limit_is_a_setting(settings):
    settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS = 30
    user = official()
    _aged(user, 31)

    assert signed_in(user).get(reverse("admin:index")).get("Location") == CHANGE


def test_an_enterprise_changes_its_password_in_the_sites_look_linked_from_its_profile(
    client, enterprise_user
):
    client.force_login(enterprise_user)
    profile = client.get(reverse("enterprises:profile")).content.decode()
    assert reverse("password_change") in profile

    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and 'id="id_new_password1"' in page
    # The site's own template, not the admin's.
    assert 'id="container"' not in page and "breadcrumbs" not in page

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "x", "new_password1": OWN, "new_password2": OWN},
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": "correct-horse-battery", "new_password1": OWN, "new_password2": OWN},
        follow=True,
    )
    assert "密码已修改" in done.content.decode() and 'id="container"' not in done.content.decode()
