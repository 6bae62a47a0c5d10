"""身份鉴别 (GB/T 22239-2019 第三级): the second factor, a time-based code (TOTP, RFC 6238) from
an authenticator app, with ten recovery codes that each work once in its place.

django-otp keeps the devices: a ``TOTPDevice`` per person (the app's secret) and a
``StaticDevice`` holding the recovery codes. Officials must enrol; enterprises may. Codes are
always checked against one device, chosen by the code's shape (six digits: the app; anything
else: a recovery code), so that a recovery code typed never counts against the app's throttle.
"""

from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def needs_second_factor(user) -> bool:
    """Whether ``user`` must give a code after the password however they are set up: every
    official. (An enterprise must once it enrolled: ``is_enrolled``.)"""
    return bool(user.is_staff or user.is_superuser)


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps and ``oathtool --totp -b`` take it."""
    return b32encode(device.bin_key).decode("ascii")


@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """The device a person is enrolling: a new secret, kept unconfirmed (and not yet asked for
    at sign-in) until a code from it is typed back. Asked again, the same one."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class Outcome:
    device: object | None  # the device that accepted the code, or None
    throttled: bool = False  # refused unchecked: too many wrong codes just before


def _check(user, device, token: str) -> Outcome:
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        return Outcome(device=None, throttled=True)
    # Locked for update while checked: two requests cannot both spend one code.
    return Outcome(device=verify_token(user, device.persistent_id, token))


@transaction.atomic
def enrolment_confirm(*, device: TOTPDevice, token: str) -> tuple[Outcome, list[str]]:
    """A code from the app being enrolled: right, and the device is the person's (any other
    device of theirs is removed) with ten new recovery codes, returned to be shown once."""
    outcome = _check(device.user, device, token.strip())
    if outcome.device is None:
        return outcome, []
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return Outcome(device=device), recovery_codes_issue(user=device.user)


@transaction.atomic
def recovery_codes_issue(*, user, count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """New recovery codes in place of any the person had."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _index in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def enrolment_given(*, user) -> tuple[TOTPDevice, list[str]]:
    """An enrolment made for the person without a code from their app, their secret to be handed
    to them: the demo's officials, whose secret seed_demo prints for a tester. Enrolled already,
    the device and the recovery codes left as they are."""
    device = app_device(user)
    if device is None:
        device = enrolment_start(user=user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, recovery_codes_issue(user=user)
    codes = StaticToken.objects.filter(device__user=user).order_by("pk")
    return device, list(codes.values_list("token", flat=True))


def is_app_code(token: str) -> bool:
    return len(token) == 6 and token.isdigit()


def second_factor_verify(*, user, token: str) -> Outcome:
    """A code given at sign-in: the app's, or a recovery code (spent by its use)."""
    token = "".join(token.split())
    if is_app_code(token):
        device = app_device(user)
    else:
        token = token.lower()
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not token:
        return Outcome(device=None)
    return _check(user, device, token)


@transaction.atomic
def second_factor_reset(*, user) -> int:
    """Remove every device of ``user``: they enrol again at their next sign-in (an official) or
    sign in with the password alone (an enterprise). Returns how many were removed."""
    app_count, _by_model = TOTPDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.filter(user=user)
    static_count = static.count()
    static.delete()
    return app_count + static_count
