"""The demo officials' second factor: each is enrolled with an authenticator, so that a tester
signs in with the secret seed_demo prints (any authenticator app, or ``oathtool --totp -b``) or
with one of the recovery codes it prints (each works once)."""

from enterprises.models import User
from security.second_factor import app_device, base32_secret, enrolment_given

from .common import DemoReport

RECOVERY_CODES_PRINTED = 3


def _demo_second_factors(report: DemoReport) -> None:
    usernames = [username for username, _role, _scope in report.accounts]
    officials = {user.username: user for user in User.objects.filter(username__in=usernames)}
    for username in usernames:
        user = officials[username]
        if not user.is_staff:
            continue
        if app_device(user) is None:
            report.created.append(f"second factor of {username}")
        device, codes = enrolment_given(user=user)
        report.second_factors.append(
            (username, base32_secret(device), codes[:RECOVERY_CODES_PRINTED])
        )
