"""The officials' idle-session warning in a real browser, with a limit of seconds instead of 30
minutes: the dialog comes before the end, 继续使用 starts the idle time again on the server,
and at the end the page goes to the login page with the reason."""

import re
import time

from playwright.sync_api import Page, expect

from policy_portal import roles
from tests.browser.second_factor import enrol
from tests.enterprises.factories import UserFactory

PASSWORD = "correct-horse-battery"
LIMIT = 10
WARNING = 5


def test_an_idle_official_is_warned_can_stay_and_is_then_signed_out(
    committed_data, page: Page, settings
):
    settings.OFFICIAL_IDLE_SECONDS = LIMIT
    settings.OFFICIAL_IDLE_WARNING_SECONDS = WARNING
    official = UserFactory(is_staff=True, roles=[roles.DISTRICT_REVIEWER], district="yubei")
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(official.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    enrol(page)  # the second factor, at the first sign-in
    page.wait_for_url("**/admin/")

    dialog = page.locator("dialog.idle-warning")
    assert dialog.count() == 0, "no warning while the end is further off than WARNING seconds"
    expect(dialog).to_be_visible(timeout=LIMIT * 1000)
    expect(dialog).to_contain_text("分钟后将自动退出。")
    page.get_by_role("button", name="继续使用").click()
    kept_at = time.monotonic()
    expect(dialog).to_be_hidden()

    # The session lasts LIMIT seconds from the keep-alive: the warning comes again, then the end.
    expect(dialog).to_be_visible(timeout=LIMIT * 1000)
    page.wait_for_url(re.compile(r"/admin/login/\?next="), timeout=(LIMIT + 5) * 1000)
    assert time.monotonic() - kept_at >= LIMIT, "the keep-alive gave the session its time again"
    expect(page.locator(".messagelist")).to_contain_text("您因长时间无操作已退出")
    assert "next=%2Fadmin%2F" in page.url
