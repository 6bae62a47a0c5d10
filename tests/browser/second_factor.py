"""The second step of an official's sign-in in a real browser: the code their authenticator app
would show, computed from the device's key (or read from the enrolment page, as a person's app
reads the QR code)."""

import re
import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect


def _code(key: bytes, *, after_step: int = -1) -> str:
    """The code of the current 30-second step, or of the next one if the current one's was
    used already (django-otp takes each step's code once, and the next one a step early)."""
    totp = TOTP(key, 30, 0, 6, 0)
    now = time.time()
    step = max(int(now // 30), after_step + 1)
    if step > now // 30 + 1:
        time.sleep(step * 30 - 30 - now + 0.5)
    totp.time = step * 30
    return f"{totp.token():06d}"


def give_code(page: Page, username: str) -> None:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.get_by_label("验证码").fill(_code(device.bin_key, after_step=device.last_t))
    page.get_by_role("button", name="验证", exact=True).click()


def enrol(page: Page) -> None:
    """The enrolment page: the secret typed into an app (here computed), confirmed, and the
    recovery codes page passed."""
    secret = page.locator("#second-factor-secret").inner_text()
    page.get_by_label("验证码").fill(_code(b32decode(secret)))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存恢复码，继续").click()
