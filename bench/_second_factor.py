"""The officials' second factor in the benchmarks: an authenticator made for each one (as
enrolment would), and the code it would show, computed from its key."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.second_factor import enrolment_given

VERIFY_PATH = "/accounts/second-factor/"


def enrol(user) -> None:
    enrolment_given(user=user)


def current_code(username: str) -> str:
    """The code of the current 30-second step, or of the next one if this one's was used
    (django-otp takes each step's code once, and the next step's a step early)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = time.time()
    step = max(int(now // 30), device.last_t + 1)
    if step > now // 30 + 1:
        time.sleep(step * 30 - 30 - now + 0.5)
    totp = TOTP(device.bin_key, 30, 0, 6, 0)
    totp.time = step * 30
    return f"{totp.token():06d}"
