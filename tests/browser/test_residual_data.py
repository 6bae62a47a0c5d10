"""Signing out in a real browser: the logout clears the site's cache and storage, and a login
form opened before it, in another tab, still signs in (its CSRF cookie is kept). With
``"cookies"`` added to Clear-Site-Data, Chromium drops the CSRF cookie and that login is
refused: this test fails, which is why the header leaves cookies to Django's logout."""

import re

from playwright.sync_api import Page, expect

from tests.enterprises.factories import EnterpriseUserFactory

PASSWORD = "correct-horse-battery"


def _fill_login(page: Page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)


def test_logout_clears_the_site_and_a_login_form_opened_before_still_works(
    committed_data, page: Page
):
    user = EnterpriseUserFactory()
    page.goto("/accounts/login/")
    _fill_login(page, user.username)
    page.get_by_role("button", name="登录").click()
    page.goto("/enterprise/profile/")
    expect(page.locator("#personal-data-export")).to_be_visible()

    other_tab = page.context.new_page()
    other_tab.goto("/accounts/login/")

    with page.expect_response(lambda r: r.url.endswith("/accounts/logout/")) as logout:
        page.get_by_role("button", name="退出").click()
    assert logout.value.all_headers()["clear-site-data"] == '"cache", "storage"'
    page.goto("/enterprise/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    _fill_login(other_tab, user.username)
    other_tab.get_by_role("button", name="登录").click()
    other_tab.goto("/enterprise/profile/")
    expect(other_tab.locator("#personal-data-export")).to_be_visible()
