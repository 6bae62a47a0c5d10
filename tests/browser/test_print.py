"""The application's page, the batch page and the 公示 print as documents an office files: the
content, without navigation or buttons. Kept as PDFs (print-*.pdf) when SCREENSHOTS_DIR is set."""

import os

from playwright.sync_api import Page

from applications.models import Application, State
from publicity.models import Publicity
from tests.browser.demo import ENTERPRISE, SCREENSHOTS, demo_batch, log_in, sign_in_enterprise

HIDDEN_IN_PRINT = [
    ".site-header",
    ".site-footer",
    "#header",
    "div.breadcrumbs",
    "#nav-sidebar",
    ".object-tools",
    "button",
    "input[type=submit]",
    "a.button",
]
# The application's page: the link back to 我的申报 and the offer to save its figures to the
# file are for the screen.
HIDDEN_IN_PRINTED_APPLICATION = [".back-link", "#save-to-file"]


def _shown(page: Page, selectors: list[str]) -> list[str]:
    return page.evaluate(
        """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)])
            .filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 80))""",
        selectors,
    )


def printed(page: Page, url: str, name: str, content: str, screen_only=()) -> None:
    """The page under print media: none of the navigation, buttons or `screen_only` parts (each
    of which the screen shows), and its content."""
    page.goto(url)
    for selector in screen_only:
        assert page.locator(selector).first.is_visible(), f"{url}: no {selector} on the screen"
    page.emulate_media(media="print")
    shown = _shown(page, HIDDEN_IN_PRINT + list(screen_only))
    assert not shown, f"{url}: printed, still shows {shown}"
    assert page.locator(content).first.is_visible(), f"{url}: {content} missing in print"
    if SCREENSHOTS:
        page.pdf(path=os.path.join(SCREENSHOTS, f"{name}.pdf"), format="A4")
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    page.emulate_media(media="screen")


def test_the_application_the_batch_and_the_publicity_print_as_documents(demo, page: Page):
    publicity = Publicity.objects.order_by("pk").first()
    assert publicity is not None, "the demo has a 公示"
    printed(page, f"/publicity/{publicity.pk}/", "print-publicity", "#publicity-entries")

    sign_in_enterprise(page)
    # An approved one: its page offers to save the figures to the file.
    application = Application.objects.filter(
        created_by__username=ENTERPRISE, state__in=[State.APPROVED, State.DISBURSED]
    ).first()
    printed(
        page,
        f"/portal/applications/{application.pk}/",
        "print-application",
        "main h1",
        screen_only=HIDDEN_IN_PRINTED_APPLICATION,
    )
    page.context.clear_cookies()

    batch = demo_batch()
    log_in(page, "demo-finance")
    printed(
        page,
        f"/admin/disbursements/disbursementbatch/{batch.pk}/change/",
        "print-batch",
        "#content h1",
    )
