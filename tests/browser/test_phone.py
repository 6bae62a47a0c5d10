"""The enterprise's pages and the public pages on a phone (375×812, Chromium's mobile emulation):
nothing scrolls sideways, a table keeps columns wide enough to read (it scrolls inside its own
box), and the header's menu can be reached. Kept as phone-*.png when SCREENSHOTS_DIR is set."""

import os

from playwright.sync_api import Page, expect

from publicity.models import Publicity
from tests.browser.conftest import PHONE
from tests.browser.demo import SCREENSHOTS, shot, sign_in_enterprise

# Narrowest a table's cell may be: about three characters of the 16 px body text.
MIN_CELL_PX = 3 * 16 - 2

PUBLIC_PAGES = [
    ("phone-catalogue", lambda: "/"),
    ("phone-measure", lambda: "/measures/2/"),
    ("phone-calculator", lambda: "/calculator/"),
    ("phone-register", lambda: "/enterprise/register/"),
    ("phone-login", lambda: "/accounts/login/"),
    ("phone-publicity", lambda: "/publicity/"),
    ("phone-publicity-detail", lambda: _publicity_url()),
    ("phone-transparency", lambda: "/transparency/"),
]
ENTERPRISE_PAGES = [
    ("phone-portal", lambda app: "/portal/"),
    ("phone-matches", lambda app: "/portal/matches/"),
    ("phone-file", lambda app: "/enterprise/file/"),
    ("phone-profile", lambda app: "/enterprise/profile/"),
    ("phone-apply", lambda app: "/portal/apply/"),
    ("phone-application", lambda app: f"/portal/applications/{app.pk}/"),
    ("phone-library", lambda app: "/portal/library/"),
    ("phone-notifications", lambda app: "/notifications/"),
    ("phone-catalogue-signed-in", lambda app: "/"),
]


def _publicity_url():
    publicity = Publicity.objects.order_by("pk").first()
    return f"/publicity/{publicity.pk}/" if publicity else "/publicity/"


def fits_a_phone(page: Page, url: str) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url}: the page is {width} px wide on a 375 px phone"
    narrow = page.evaluate(
        """(min) => [...document.querySelectorAll('main table')]
            .filter((t) => t.offsetParent !== null)
            .flatMap((t) => [...t.rows].flatMap((r) => [...r.cells]))
            .filter((c) => c.textContent.trim() && c.getBoundingClientRect().width < min)
            .map((c) => `${c.textContent.trim().slice(0, 20)} (${Math.round(c.getBoundingClientRect().width)} px)`)""",
        MIN_CELL_PX,
    )
    assert not narrow, f"{url}: table cells too narrow to read: {narrow[:8]}"


def _visit(page: Page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    fits_a_phone(page, url)
    shot(page, name)


def test_the_public_pages_fit_a_phone(demo, phone: Page):
    for name, url in PUBLIC_PAGES:
        _visit(phone, url(), name)


def test_the_enterprises_pages_fit_a_phone(demo, phone: Page):
    application = sign_in_enterprise(phone)
    for name, url in ENTERPRISE_PAGES:
        _visit(phone, url(application), name)
    if SCREENSHOTS:
        # The phone's screen as a person sees it, in CSS pixels: the picture the README shows.
        phone.goto("/portal/")
        phone.screenshot(path=os.path.join(SCREENSHOTS, "phone-portal-screen.png"), scale="css")


def test_the_header_menu_is_reachable_on_a_phone(demo, phone: Page):
    sign_in_enterprise(phone)
    nav = phone.get_by_role("navigation", name="主导航")
    for name in ["政策目录", "我的申报", "可申报政策", "企业档案", "企业信息"]:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    nav.get_by_role("link", name="可申报政策", exact=True).tap()
    phone.wait_for_url("**/portal/matches/")
