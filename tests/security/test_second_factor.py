"""身份鉴别: officials sign in with the password and a code from an authenticator app (or a
recovery code); until they gave it they reach nothing but the code's pages and logout. Every
test here signs in through the login form, the real way, never with ``force_login``."""

import re
import time
from base64 import b32encode
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import AuditRecord
from security.second_factor import enrolment_confirm, enrolment_start
from tests.enterprises.factories import UserFactory
from tests.zh_hans import english_on_page

PASSWORD = "correct-horse-battery"
ADMIN = reverse("admin:index")
VERIFY = reverse("security:verify")
ENROL = reverse("security:enrol")
RECOVERY_CODES = reverse("security:recovery-codes")


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later), computed from
    the device's key as any authenticator does."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user, *, path: str = ""):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return client.get(path) if path else response


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = enrolment_start(user=user)
    outcome, codes = enrolment_confirm(device=device, token=code(device))
    assert outcome.device is not None
    return device, codes


def unthrottle(user) -> None:
    """As if the wait after a wrong code had passed."""
    past = timezone.now() - timedelta(hours=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)


def otp_failures(user):
    return list(AuditRecord.objects.filter(kind="otp_failed", actor=user).order_by("id"))


@pytest.fixture
def official(district_reviewer):
    return district_reviewer


def goes_to(response, page: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(page + "?")


# ── the gate ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "path",
    [
        ADMIN,
        reverse("admin:login"),
        reverse("admin:applications_application_changelist"),
        reverse("admin:password_change"),
        reverse("dashboard:index"),
        reverse("applications:home"),
        reverse("notifications:list"),
        reverse("measures:catalogue"),
        reverse("password_change"),
        "/no/such/page/",
    ],
)
def test_an_official_with_the_password_but_no_code_is_sent_to_the_code_page(client, official, path):
    enrolled(official)

    response = sign_in(client, official, path=path)

    assert goes_to(response, VERIFY), (path, response.status_code, response.get("Location"))
    assert f"next={path.replace('/', '%2F')}" in response["Location"]


def test_an_official_with_the_password_but_no_code_cannot_use_the_api(client, official):
    enrolled(official)
    sign_in(client, official)

    listed = client.get(reverse("api:measure-list"))
    quoted = client.post(
        reverse("api:measure-quote", args=[2]), {"track": "x"}, content_type="application/json"
    )

    assert listed.status_code == quoted.status_code == 403
    assert listed.json()["detail"] == "请先完成第二因素验证。"


def test_the_gate_lets_an_unverified_official_log_out(client, official):
    enrolled(official)
    sign_in(client, official)

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_the_admins_own_login_form_leads_to_the_code_page_too(client, official):
    enrolled(official)
    response = client.post(
        reverse("admin:login") + "?next=" + ADMIN,
        {"username": official.username, "password": PASSWORD, "next": ADMIN},
    )
    assert response.status_code == 302  # the password was right

    assert goes_to(client.get(ADMIN), VERIFY)
    assert goes_to(client.get(reverse("admin:login")), VERIFY)


def test_an_official_without_a_device_is_sent_to_enrol_first(client, official):
    response = sign_in(client, official, path=ADMIN)

    assert goes_to(response, ENROL)
    assert goes_to(client.get(VERIFY), ENROL)


def test_a_device_reset_while_signed_in_ends_what_the_session_gave(client, official):
    device, _codes = enrolled(official)
    sign_in(client, official)
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302
    assert client.get(ADMIN).status_code == 200

    TOTPDevice.objects.filter(user=official).delete()

    assert goes_to(client.get(ADMIN), ENROL)


# ── the code at sign-in ────────────────────────────────────────────────────────────────────


def test_the_right_code_opens_the_admin_and_the_session_key_changes(client, official):
    device, _codes = enrolled(official)
    sign_in(client, official)
    before = client.session.session_key

    response = client.post(VERIFY, {"code": code(device, steps_ahead=1), "next": ADMIN})

    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.session.session_key != before


def test_a_wrong_code_is_refused_recorded_and_throttled(client, official):
    device, _codes = enrolled(official)
    sign_in(client, official)

    wrong = client.post(VERIFY, {"code": "000000" if code(device) != "000000" else "111111"})

    assert wrong.status_code == 200
    assert "验证码不正确或已使用" in wrong.content.decode()
    assert goes_to(client.get(ADMIN), VERIFY)
    (failure,) = otp_failures(official)
    assert failure.detail == {"stage": "sign_in", "code_kind": "app", "throttled": False}
    assert failure.object_id == str(official.pk)
    # Right after a wrong code even the right one waits (django-otp's throttling).
    throttled = client.post(VERIFY, {"code": code(device, steps_ahead=1)})
    assert "错误次数过多" in throttled.content.decode()
    assert otp_failures(official)[-1].detail["throttled"] is True
    assert goes_to(client.get(ADMIN), VERIFY)

    unthrottle(official)
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_code_is_not_accepted_twice(client, official):
    device = enrolment_start(user=official)
    used = code(device)
    enrolment_confirm(device=device, token=used)
    sign_in(client, official)

    assert client.post(VERIFY, {"code": used}).status_code == 200
    assert goes_to(client.get(ADMIN), VERIFY)


def test_a_recovery_code_works_once(client, official):
    _device, codes = enrolled(official)
    assert len(codes) == 10 and len(set(codes)) == 10

    sign_in(client, official)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": ADMIN}, follow=True)
    assert response.redirect_chain[-1][0] == ADMIN
    assert "还剩 9 个" in response.content.decode()
    used = AuditRecord.objects.get(kind="otp_recovery_used", actor=official)
    assert used.detail == {"left": 9}
    client.post(reverse("logout"))

    sign_in(client, official)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200
    assert goes_to(client.get(ADMIN), VERIFY)
    assert otp_failures(official)[-1].detail["code_kind"] == "recovery"
    unthrottle(official)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302
    assert client.get(ADMIN).status_code == 200
    assert StaticToken.objects.filter(device__user=official).count() == 8


def test_the_next_page_stays_on_the_site(client, official):
    device, _codes = enrolled(official)
    sign_in(client, official)

    response = client.post(
        VERIFY, {"code": code(device, steps_ahead=1), "next": "https://evil.example/"}
    )

    assert response.status_code == 302 and "evil" not in response["Location"]


# ── enrolment ──────────────────────────────────────────────────────────────────────────────


def test_an_official_enrols_end_to_end_over_http(client, official):
    first = sign_in(client, official, path=ADMIN)
    assert goes_to(first, ENROL)

    page = client.get(first["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    assert f'<code id="second-factor-secret" class="secret">{secret}</code>' in body
    assert "<svg" in body and 'class="segno"' in body  # the QR code, inline
    # The site's content security policy allows no inline script or style.
    assert "style=" not in body and not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert page["Cache-Control"].startswith("max-age=0")
    # Not enrolled until confirmed: the admin stays closed.
    assert goes_to(client.get(ADMIN), ENROL)

    wrong = client.post(ENROL, {"code": "12345x", "next": ADMIN})
    assert wrong.status_code == 200
    assert otp_failures(official)[-1].detail["stage"] == "enrolment"
    unthrottle(official)
    confirmed = client.post(ENROL, {"code": code(device), "next": ADMIN})
    assert confirmed.status_code == 302
    assert confirmed["Location"].startswith(RECOVERY_CODES + "?")
    enrolment = AuditRecord.objects.get(kind="otp_enrolled", actor=official)
    assert enrolment.object_id == str(official.pk) and enrolment.address == "127.0.0.1"

    shown = client.get(confirmed["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=official).values_list("token", flat=True)
    )
    assert not english_on_page(shown.content.decode(), allowed={official.username, *codes})
    # Once, never again.
    assert client.get(confirmed["Location"]).status_code == 302
    assert client.get(ADMIN).status_code == 200

    client.post(reverse("logout"))
    assert goes_to(sign_in(client, official, path=ADMIN), VERIFY)
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_the_code_pages_read_in_chinese(client, official):
    page = sign_in(client, official, path=ENROL)
    assert not english_on_page(page.content.decode(), allowed={official.username})
    device = TOTPDevice.objects.get(user=official)
    client.post(ENROL, {"code": code(device)})
    client.post(reverse("logout"))

    page = sign_in(client, official, path=VERIFY)
    assert page.status_code == 200
    assert not english_on_page(page.content.decode(), allowed={official.username})


def test_an_enterprise_may_enrol_and_then_gives_its_code_too(client, enterprise_user):
    home = reverse("applications:home")
    profile = reverse("enterprises:profile")
    assert sign_in(client, enterprise_user, path=home).status_code == 200  # no code asked
    card = client.get(profile).content.decode()
    assert 'id="second-factor-enrol"' in card

    client.get(ENROL)
    device = TOTPDevice.objects.get(user=enterprise_user)
    response = client.post(ENROL, {"code": code(device), "next": profile}, follow=True)
    assert response.redirect_chain[-1][0].startswith(RECOVERY_CODES)
    assert "已启用" in client.get(profile).content.decode()
    client.post(reverse("logout"))

    assert goes_to(sign_in(client, enterprise_user, path=home), VERIFY)
    assert goes_to(client.get(profile), VERIFY)
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302
    assert client.get(home).status_code == 200


def test_an_enterprise_that_did_not_enrol_is_not_asked(client, enterprise_user):
    assert sign_in(client, enterprise_user, path=reverse("applications:home")).status_code == 200
    assert client.get(VERIFY).status_code == 302


# ── the reset ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def security_administrator(policy):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="security_administrator"))
    return user


def reset(client, person):
    return client.post(
        reverse("admin:security_secondfactoraccount_changelist"),
        {"action": "reset_second_factor", "_selected_action": [person.pk]},
    )


def test_the_security_administrator_resets_a_device_and_it_is_audited(
    client, official, security_administrator
):
    enrolled(official)
    client.force_login(security_administrator)
    listed = client.get(reverse("admin:security_secondfactoraccount_changelist"))
    assert listed.status_code == 200 and official.username in listed.content.decode()

    response = reset(client, official)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticDevice.objects.filter(user=official).exists()
    (record,) = AuditRecord.objects.filter(kind="otp_reset")
    assert record.actor == security_administrator
    assert record.object_type == "enterprises.user" and record.object_id == str(official.pk)
    assert record.detail == {"username": official.username, "devices": 2}
    # The person enrols again at the next sign-in.
    client.post(reverse("logout"))
    assert goes_to(sign_in(client, official, path=ADMIN), ENROL)


@pytest.mark.parametrize("who", ["district_reviewer", "finance_user", "administrator"])
def test_nobody_else_may_reset(client, official, who, request, policy):
    if who == "administrator":
        person = UserFactory(is_staff=True, roles=["administrator"])
    else:
        person = request.getfixturevalue(who)
    enrolled(official)
    client.force_login(person)

    assert client.get(reverse("admin:security_secondfactoraccount_changelist")).status_code == 403
    assert reset(client, official).status_code == 403
    assert TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert not AuditRecord.objects.filter(kind="otp_reset").exists()


def test_an_enterprise_cannot_reach_the_reset(client, enterprise_user, official):
    enrolled(official)
    client.force_login(enterprise_user)

    response = reset(client, official)

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert TOTPDevice.objects.filter(user=official).exists()


def test_the_reset_permission_belongs_to_the_security_administrator_group(db):
    group = Group.objects.get(name="security_administrator")

    assert group.permissions.filter(
        content_type__app_label="security", codename="reset_second_factor"
    ).exists()


# ── where the gate stands ──────────────────────────────────────────────────────────────────


def test_the_gate_stands_after_the_session_user_idle_timeout_and_otp(settings):
    order = settings.MIDDLEWARE
    gate = order.index("security.gate.SecondFactorGateMiddleware")

    assert order.index("django.contrib.auth.middleware.AuthenticationMiddleware") < gate
    assert order.index("enterprises.sessions.OfficialIdleTimeoutMiddleware") < gate
    assert order.index("django_otp.middleware.OTPMiddleware") < gate


def test_the_admin_stays_shut_to_an_unverified_official_even_without_the_gate(
    client, official, settings
):
    enrolled(official)
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "security.gate.SecondFactorGateMiddleware"
    ]
    sign_in(client, official)

    response = client.get(ADMIN)

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
