"""axe-core over the portal's pages and the public pages, at desktop width and on a phone, and
over the main pages of every official role: no serious or critical violation (contrast, names,
labels, landmarks)."""

import os

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application, State
from tests.browser.axe import violations
from tests.browser.demo import SCREENSHOTS, demo_batch, log_in, shot, sign_in_enterprise
from tests.browser.test_phone import ENTERPRISE_PAGES, PUBLIC_PAGES
from tests.browser.test_screenshots import OFFICIAL_PAGES

# Beyond the pages test_phone.py looks at: the enterprise's account pages.
ACCOUNT_PAGES = ["/accounts/password_change/", "/accounts/second-factor/enrol/"]


def _check(page: Page, pages, prefix: str = "") -> None:
    problems = []
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        found = violations(page)
        if found:
            problems.append(f"{url}:\n  " + "\n  ".join(found))
            shot(page, f"axe-{prefix}{url.strip('/').replace('/', '-') or 'home'}")
    assert not problems, "axe-core finds:\n" + "\n".join(problems)


def test_the_public_pages_are_accessible(demo, page: Page):
    _check(page, [url() for _, url in PUBLIC_PAGES])


def test_the_public_pages_are_accessible_on_a_phone(demo, phone: Page):
    _check(phone, [url() for _, url in PUBLIC_PAGES], "phone-")


def test_a_table_wider_than_a_phone_scrolls_with_the_keyboard(demo, phone: Page):
    """A table that scrolls inside its box on a phone: Tab reaches the box, which is named after
    its table, and the arrow keys scroll it."""
    phone.goto("/transparency/")
    box = phone.locator(".table-scroll[role=region]").first
    expect(box).to_have_attribute("tabindex", "0")
    assert box.get_attribute("aria-label"), "the scrolling table's box has no name"
    for _ in range(80):
        phone.keyboard.press("Tab")
        if box.evaluate("(b) => b === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reaches the scrolling table")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    expect(box).not_to_have_js_property("scrollLeft", 0)
    if SCREENSHOTS:
        box.scroll_into_view_if_needed()
        phone.screenshot(path=os.path.join(SCREENSHOTS, "phone-table-focused.png"), scale="css")


def test_the_enterprises_pages_are_accessible(demo, page: Page):
    application = sign_in_enterprise(page)
    _check(page, [url(application) for _, url in ENTERPRISE_PAGES] + ACCOUNT_PAGES)


def test_the_enterprises_pages_are_accessible_on_a_phone(demo, phone: Page):
    application = sign_in_enterprise(phone)
    _check(phone, [url(application) for _, url in ENTERPRISE_PAGES] + ACCOUNT_PAGES, "phone-")


# The pages test_screenshots.py keeps for each role, and a few more each role works on.
MORE_OFFICIAL_PAGES = {
    "demo-district": [lambda app, batch: "/admin/"],
    "demo-municipal": [lambda app, batch: "/admin/"],
    "demo-finance": [lambda app, batch: "/admin/"],
    "demo-admin": [
        lambda app, batch: "/admin/applications/application/",
        lambda app, batch: f"/admin/applications/application/{app.pk}/change/",
        lambda app, batch: f"/admin/disbursements/disbursementbatch/{batch.pk}/change/",
    ],
}


@pytest.mark.parametrize("username", list(OFFICIAL_PAGES))
def test_each_officials_main_pages_are_accessible(demo, page: Page, username):
    """One browser session per role, on the pages that role works on."""
    page.set_viewport_size({"width": 1280, "height": 900})
    in_review = Application.objects.filter(state=State.DISTRICT_REVIEW).first()
    batch = demo_batch()
    log_in(page, username)
    urls = [url for _, url in OFFICIAL_PAGES[username]] + MORE_OFFICIAL_PAGES.get(username, [])
    _check(page, [url(in_review, batch) for url in urls], f"{username}-")


def test_a_fields_error_is_tied_to_its_input(committed_data, page: Page):
    """A screen reader reads the error with the field: the input points at it."""
    page.goto("/enterprise/register/")
    page.get_by_label("统一社会信用代码").fill("123")
    page.get_by_role("button", name="注册").click()
    field = page.get_by_label("统一社会信用代码")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [i for i in described if i.endswith("_error")]
    assert errors, described
    assert page.locator(f"#{errors[0]}").inner_text().strip()
    for label_less in page.evaluate(
        """() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((e) => !e.labels.length && !e.getAttribute('aria-label'))
            .map((e) => e.name)"""
    ):
        raise AssertionError(f"an input without a label: {label_less}")
